using Microsoft.Extensions.Options;

namespace OrleansRouting.WebFront.Security;

/// <summary>
/// Response headers for a JSON API that no browser should render, frame, sniff or cache. A UI mapped on the WebFront
/// later (the Orleans dashboard under <see cref="UiPathPrefix"/>) needs scripts and styles, so it gets its own policy.
/// </summary>
public sealed class SecurityHeadersOptions
{
    public const string Section = "Security";

    public string ContentSecurityPolicy { get; set; } = "default-src 'none'; frame-ancestors 'none'";

    public string UiPathPrefix { get; set; } = "/dashboard";

    public string UiContentSecurityPolicy { get; set; } =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
}

/// <summary>
/// Sets the headers just before the response starts, so they are on every answer: endpoints, 401 challenges,
/// 429s, status-code pages and the exception handler's 500 (which clears headers set earlier).
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IOptions<SecurityHeadersOptions> options)
{
    private readonly SecurityHeadersOptions _options = options.Value;

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(ApplyAsync, context);
        return next(context);
    }

    private Task ApplyAsync(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";

        var ui = _options.UiPathPrefix.Length > 1 && context.Request.Path.StartsWithSegments(_options.UiPathPrefix, StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = ui ? _options.UiContentSecurityPolicy : _options.ContentSecurityPolicy;
        }

        // Webhook answers carry customer data and one-off outcomes: no proxy or client may keep a copy. A UI may
        // cache its static files as it likes.
        if (!ui && string.IsNullOrEmpty(headers.CacheControl))
        {
            headers.CacheControl = "no-store";
        }

        return Task.CompletedTask;
    }
}

internal static class SecurityHeadersExtensions
{
    public static WebApplicationBuilder AddSecurityHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityHeadersOptions>().Bind(builder.Configuration.GetSection(SecurityHeadersOptions.Section));

        // "Server: Kestrel" tells a scanner which exploits to try and tells Cognigy nothing.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.UseMiddleware<SecurityHeadersMiddleware>();
}
