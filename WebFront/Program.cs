using OrleansRouting.WebFront.Health;
using OrleansRouting.WebFront.Hosting;
using OrleansRouting.WebFront.Security;
using OrleansRouting.WebFront.Webhook;

var builder = WebApplication.CreateBuilder(args);

builder.AddRoutingClusterClient();
builder.AddApiKeyAuthentication();
builder.AddWebhook();
builder.AddRoutingHealthChecks();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapWebhookApi();
app.MapHealthApi();

app.Run();

/// <summary>Entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the functional tests.</summary>
public partial class Program;
