using Orleans.Dashboard;

namespace OrleansRouting.WebFront.Operations;

/// <summary>
/// The Orleans Dashboard UI, served by the WebFront under <c>/dashboard</c> for operators only (every silo collects
/// the figures; the WebFront's Orleans client reads them, see <c>ClusterClientExtensions</c>).
/// <c>Dashboard:Enabled=false</c> removes it entirely.
/// </summary>
public static class Dashboard
{
    public const string Path = "/dashboard";

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue("Dashboard:Enabled", true);

    public static IEndpointRouteBuilder MapRoutingDashboard(this WebApplication app)
    {
        if (IsEnabled(app.Configuration))
        {
            app.MapOrleansDashboard(Path).RequireAuthorization(OperatorAccess.Policy);
        }

        return app;
    }
}
