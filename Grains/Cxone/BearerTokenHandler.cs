using System.Net;
using System.Net.Http.Headers;

namespace OrleansRouting.Grains.Cxone;

/// <summary>
/// Attaches the cluster's bearer token, and on a 401 renews it and sends the request once more:
/// a revoked or prematurely expired token costs one extra round trip, not a failed escalation.
/// </summary>
internal sealed class BearerTokenHandler(SiloTokenCache tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        var renewed = await tokens.RenewAsync(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", renewed.Value);
        return await base.SendAsync(request, cancellationToken);
    }
}
