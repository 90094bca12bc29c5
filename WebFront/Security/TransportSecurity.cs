using System.Net;
using Microsoft.Extensions.Options;

namespace OrleansRouting.WebFront.Security;

/// <summary>
/// The webhook carries an API key and customer data, so outside Development it must not be served in clear text on
/// an address other machines can reach. TLS ends either at Kestrel (an <c>https://</c> URL with a certificate) or at a
/// reverse proxy / load balancer in front of a loopback or private binding; in the latter case, set
/// <see cref="AllowPlainHttp"/> to say so explicitly.
/// </summary>
public sealed class TransportSecurityOptions
{
    public const string Section = "Webhook";

    public bool AllowPlainHttp { get; set; }
}

/// <summary>Fails start-up (before anything listens) when a public binding would be plain HTTP.</summary>
public sealed class TransportSecurityOptionsValidator(IConfiguration configuration, IHostEnvironment environment)
    : IValidateOptions<TransportSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, TransportSecurityOptions options)
    {
        if (environment.IsDevelopment() || options.AllowPlainHttp)
        {
            return ValidateOptionsResult.Success;
        }

        var exposed = PublicPlainHttpBindings(configuration);
        return exposed.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Refusing to serve the webhook over plain HTTP on a public address in the {environment.EnvironmentName} environment: " +
                $"{string.Join(", ", exposed)}. Use an https:// URL with a certificate (Kestrel:Certificates:Default), " +
                "or bind to 127.0.0.1 behind a TLS-terminating reverse proxy, or set Webhook:AllowPlainHttp=true " +
                "when a proxy or load balancer terminates TLS in front of this address.");
    }

    /// <summary>
    /// The plain-HTTP, non-loopback addresses Kestrel would listen on, each with the key it came from. Follows Kestrel's
    /// precedence: <c>Kestrel:Endpoints</c> replace <c>urls</c> (ASPNETCORE_URLS), which replace <c>http_ports</c>
    /// (ASPNETCORE_HTTP_PORTS, set by the official container images), which bind every interface.
    /// </summary>
    public static IReadOnlyList<string> PublicPlainHttpBindings(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(endpoint => (Url: endpoint["Url"], Key: $"Kestrel:Endpoints:{endpoint.Key}:Url"))
            .Where(endpoint => !string.IsNullOrWhiteSpace(endpoint.Url))
            .ToList();
        if (endpoints.Count > 0)
        {
            return [.. endpoints.Where(endpoint => IsPublicPlainHttp(endpoint.Url!)).Select(endpoint => $"{endpoint.Url} ({endpoint.Key})")];
        }

        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return [.. Split(urls).Where(IsPublicPlainHttp).Select(url => $"{url} (urls / ASPNETCORE_URLS)")];
        }

        if (configuration["http_ports"] is { Length: > 0 } ports)
        {
            return [.. Split(ports).Select(port => $"http://*:{port} (ASPNETCORE_HTTP_PORTS)")];
        }

        return [];
    }

    internal static bool IsPublicPlainHttp(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url.Trim());
        }
        catch (FormatException)
        {
            // Kestrel itself will refuse it with its own message; nothing would listen in clear text.
            return false;
        }

        if (!address.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || address.IsUnixPipe || address.IsNamedPipe)
        {
            return false;
        }

        var host = address.Host.Trim('[', ']');
        return !host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            && !(IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static string[] Split(string list) => list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal static class TransportSecurityExtensions
{
    public static WebApplicationBuilder RequireTlsOutsideDevelopment(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TransportSecurityOptions>().Bind(builder.Configuration.GetSection(TransportSecurityOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TransportSecurityOptions>, TransportSecurityOptionsValidator>();
        return builder;
    }
}
