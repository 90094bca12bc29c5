using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansRouting.Tests.Infrastructure;
using OrleansRouting.WebFront.Security;

namespace OrleansRouting.Tests.Security;

public sealed class TransportSecurityTests
{
    [Theory]
    [InlineData("http://0.0.0.0:8080", true)]
    [InlineData("http://*:8080", true)]
    [InlineData("http://+:80", true)]
    [InlineData("http://[::]:8080", true)]
    [InlineData("http://10.1.2.3:8080", true)]
    [InlineData("http://webhook.example.com", true)]
    [InlineData("HTTP://0.0.0.0:8080", true)]
    [InlineData("http://127.0.0.1:8080", false)]
    [InlineData("http://127.0.0.2:8080", false)]
    [InlineData("http://localhost:5000", false)]
    [InlineData("http://[::1]:8080", false)]
    [InlineData("https://0.0.0.0:8443", false)]
    [InlineData("https://*:443", false)]
    [InlineData("http://unix:/run/webfront.sock", false)]
    public void Plain_http_is_public_unless_bound_to_loopback(string url, bool isPublic) =>
        Assert.Equal(isPublic, TransportSecurityOptionsValidator.IsPublicPlainHttp(url));

    [Theory]
    [InlineData("urls", "https://*:443;http://127.0.0.1:8080", 0)]
    [InlineData("urls", "https://*:443; http://*:8080", 1)]
    [InlineData("http_ports", "8080", 1)]
    [InlineData("Kestrel:Endpoints:Public:Url", "http://0.0.0.0:80", 1)]
    [InlineData("Kestrel:Endpoints:Public:Url", "https://0.0.0.0:443", 0)]
    public void Bindings_are_read_from_every_place_kestrel_takes_them(string key, string value, int exposed)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

        Assert.Equal(exposed, TransportSecurityOptionsValidator.PublicPlainHttpBindings(configuration).Count);
    }

    [Fact]
    public void Kestrel_endpoints_replace_urls_as_they_do_in_kestrel()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
        [
            new("urls", "http://0.0.0.0:8080"),
            new("Kestrel:Endpoints:Https:Url", "https://0.0.0.0:8443"),
        ]).Build();

        Assert.Empty(TransportSecurityOptionsValidator.PublicPlainHttpBindings(configuration));
    }

    [Theory]
    [InlineData("Production", false, false)]
    [InlineData("Staging", false, false)]
    [InlineData("Production", true, true)]
    [InlineData("Development", false, true)]
    public void Public_plain_http_is_refused_outside_development_unless_explicitly_allowed(string environment, bool allowPlainHttp, bool starts)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("urls", "http://0.0.0.0:8080")]).Build();
        var validator = new TransportSecurityOptionsValidator(configuration, new Environment(environment));

        var result = validator.Validate(null, new TransportSecurityOptions { AllowPlainHttp = allowPlainHttp });

        Assert.Equal(starts, result.Succeeded);
        if (!starts)
        {
            Assert.Contains("http://0.0.0.0:8080", result.FailureMessage, StringComparison.Ordinal);
            Assert.Contains("Webhook:AllowPlainHttp", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_webfront_refuses_to_start_in_production_on_a_public_plain_http_url()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(webFront =>
        {
            webFront.UseEnvironment("Production");
            webFront.UseSetting("urls", "http://0.0.0.0:8080");
            webFront.UseSetting("Webhook:ApiKeys:0", StackOptions.ApiKey);
        });

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(failure.GetBaseException());
        Assert.Contains("Webhook:AllowPlainHttp", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_webfront_starts_in_production_behind_a_tls_proxy_when_plain_http_is_explicitly_allowed()
    {
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            options.Silos = 1;
            options.WebFrontSettings["urls"] = "http://0.0.0.0:8080";
            options.WebFrontSettings["Webhook:AllowPlainHttp"] = "true";
            options.ConfigureWebFront = webFront => webFront.UseEnvironment("Production");
        });

        using var response = await stack.PostWebhookAsync(Payloads.Escalation());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "OrleansRouting.WebFront";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
