namespace OrleansRouting.WebFront.Hosting;

internal static class ListenDefaults
{
    /// <summary>
    /// Loopback unless told otherwise (ASPNETCORE_URLS, --urls, Urls, Kestrel:Endpoints), so nothing faces a network by
    /// accident. Not in appsettings.json: there it would override ASPNETCORE_URLS.
    /// </summary>
    public static WebApplicationBuilder ListenOnLoopbackUnlessConfigured(this WebApplicationBuilder builder, int port)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }

        return builder;
    }
}
