using System.Text.Json.Serialization;
using OrleansRouting.WebFront.Health;
using OrleansRouting.WebFront.Hosting;
using OrleansRouting.WebFront.Operations;
using OrleansRouting.WebFront.Security;
using OrleansRouting.WebFront.Webhook;

var builder = WebApplication.CreateBuilder(args);

builder.ListenOnLoopbackUnlessConfigured(8080);
builder.RequireTlsOutsideDevelopment();
builder.AddRoutingClusterClient();
builder.AddApiKeyAuthentication();
builder.AddOperatorAccess();
builder.AddWebhookRateLimiting();
builder.AddSecurityHeaders();
builder.AddWebhook();
builder.AddRoutingHealthChecks();
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

var app = builder.Build();

// First, so that every answer carries the headers, including the exception handler's and the rate limiter's.
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
if (!app.Environment.IsDevelopment())
{
    // Sent only on HTTPS requests, i.e. when Kestrel terminates TLS itself; a TLS-terminating proxy sets its own.
    app.UseHsts();
}

app.UseAuthentication();
app.UseAuthorization();

// After authorization: a request without a valid key is a 401 and never spends a key's permits.
app.UseRateLimiter();

app.MapWebhookApi().RequireWebhookRateLimit();
app.MapSessionsApi();
app.MapRoutingDashboard();

// Probes (load balancer, Kubernetes) carry no key; they learn only "up" and how many silos answer.
app.MapGroup("").AllowAnonymous().MapHealthApi();

app.Run();

/// <summary>Entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the functional tests.</summary>
public partial class Program;
