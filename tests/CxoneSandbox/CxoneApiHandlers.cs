using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace CxoneSandbox;

/// <summary>
/// The emulated CXone endpoints. Plain <see cref="RequestDelegate"/>s over <see cref="HttpContext"/>
/// keep per-request overhead to what the throughput benchmarks actually measure.
/// </summary>
internal sealed class CxoneApiHandlers
{
    private const string Scope = "interactions:create queues:view";
    private const int DefaultPageSize = 25;
    private const int MaxPageSize = 1000;

    private static readonly byte[] s_missingTokenBody = ErrorBytes("invalid_token", "Missing or malformed Authorization header; expected 'Bearer <token>'");
    private static readonly byte[] s_unknownTokenBody = ErrorBytes("invalid_token", "Access token is not recognized");
    private static readonly byte[] s_expiredTokenBody = ErrorBytes("invalid_token", "Access token has expired");
    private static readonly byte[] s_revokedTokenBody = ErrorBytes("invalid_token", "Access token has been revoked");
    private static readonly byte[] s_badPageSizeBody = ErrorBytes("invalid_request", $"Query parameter 'pageSize' must be an integer from 1 to {MaxPageSize}");
    private static readonly byte[] s_notJsonBody = ErrorBytes("invalid_request", "Content-Type must be application/json");
    private static readonly byte[] s_invalidClientBody = JsonSerializer.SerializeToUtf8Bytes(
        new OAuthError("invalid_client", "Client authentication failed"), SandboxJson.Context.OAuthError);

    private readonly SandboxState _state;
    private readonly CancellationToken _stopping;

    public CxoneApiHandlers(SandboxState state, CancellationToken stopping)
    {
        _state = state;
        _stopping = stopping;
    }

    public async Task TokenAsync(HttpContext context)
    {
        if (!await ApplyFaultsAsync(context, SandboxEndpoint.Token))
        {
            return;
        }

        HttpRequest request = context.Request;
        if (!HasMediaType(request.ContentType, "application/x-www-form-urlencoded"))
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
            return;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "Request body is not a valid form");
            return;
        }

        string? grantType = FormField(form, "grant_type");
        if (grantType is null)
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "Missing required field 'grant_type'");
            return;
        }

        if (!string.Equals(grantType, "client_credentials", StringComparison.Ordinal))
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "Field 'grant_type' must be 'client_credentials'");
            return;
        }

        string? clientId = FormField(form, "client_id");
        string? clientSecret = FormField(form, "client_secret");
        string? audience = FormField(form, "audience");
        string? missing = clientId is null ? "client_id" : clientSecret is null ? "client_secret" : audience is null ? "audience" : null;
        if (missing is not null)
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", $"Missing required field '{missing}'");
            return;
        }

        // Compare both before branching so timing does not reveal which half was wrong.
        bool idMatches = FixedTimeEquals(clientId!, _state.ClientId);
        bool secretMatches = FixedTimeEquals(clientSecret!, _state.ClientSecret);
        if (!(idMatches & secretMatches))
        {
            await WriteBytesAsync(context, StatusCodes.Status401Unauthorized, s_invalidClientBody);
            return;
        }

        if (!AudienceMatches(audience!, request))
        {
            string expected = _state.ExpectedAudience ?? $"{request.Scheme}://{request.Host}/";
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_audience", $"Field 'audience' must be '{expected}'");
            return;
        }

        string token = _state.IssueToken();
        if (TryDropResponse(context, SandboxEndpoint.Token))
        {
            return;
        }

        HttpResponse response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        await response.WriteAsJsonAsync(
            new TokenResponse(token, "bearer", _state.TokenLifetimeSeconds, Scope),
            SandboxJson.Context.TokenResponse,
            contentType: null,
            context.RequestAborted);
    }

    public async Task QueuesAsync(HttpContext context)
    {
        if (!await ApplyFaultsAsync(context, SandboxEndpoint.Queues) || !await AuthorizeAsync(context))
        {
            return;
        }

        IQueryCollection query = context.Request.Query;
        int pageSize = DefaultPageSize;
        if (query.TryGetValue("pageSize", out StringValues pageSizeValues)
            && (pageSizeValues.Count != 1
                || !int.TryParse(pageSizeValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out pageSize)
                || pageSize is < 1 or > MaxPageSize))
        {
            await WriteBytesAsync(context, StatusCodes.Status400BadRequest, s_badPageSizeBody);
            return;
        }

        if (query.TryGetValue("name", out StringValues nameValues))
        {
            string name = nameValues[0] ?? string.Empty;
            _state.RecordQueueLookup(name);
            byte[] body = _state.Queues.TryGetFoundBody(name, out byte[] found) ? found : _state.Queues.NotFoundBody;
            if (TryDropResponse(context, SandboxEndpoint.Queues))
            {
                return;
            }

            await WriteBytesAsync(context, StatusCodes.Status200OK, body);
            return;
        }

        if (TryDropResponse(context, SandboxEndpoint.Queues))
        {
            return;
        }

        await context.Response.WriteAsJsonAsync(
            _state.Queues.FirstPage(pageSize), SandboxJson.Context.QueuePage, contentType: null, context.RequestAborted);
    }

    public async Task InteractionsAsync(HttpContext context)
    {
        if (!await ApplyFaultsAsync(context, SandboxEndpoint.Interactions) || !await AuthorizeAsync(context))
        {
            return;
        }

        HttpRequest request = context.Request;
        if (!HasMediaType(request.ContentType, "application/json") && !HasJsonSuffix(request.ContentType))
        {
            await WriteBytesAsync(context, StatusCodes.Status400BadRequest, s_notJsonBody);
            return;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", $"Request body is not valid JSON: {ex.Message}");
            return;
        }

        using (document)
        {
            string? problem = InteractionValidator.Validate(document.RootElement, _state.Queues, out InteractionRequest valid);
            if (problem is not null)
            {
                await WriteErrorAsync(context, StatusCodes.Status422UnprocessableEntity, "unprocessable", problem);
                return;
            }

            string? idempotencyKey = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
            if (idempotencyKey is not null && _state.TryGetByIdempotencyKey(idempotencyKey, out CreatedInteraction? previous))
            {
                _state.CountIdempotentReplay();
                await WriteInteractionAsync(context, StatusCodes.Status200OK, previous!);
                return;
            }

            var candidate = new CreatedInteraction(
                $"ix-{Guid.CreateVersion7():N}",
                valid.SessionId,
                valid.QueueId,
                valid.Priority,
                idempotencyKey,
                valid.CustomerName,
                valid.CustomerEmail,
                document.RootElement.Clone(),
                _state.Time.GetUtcNow());
            (CreatedInteraction interaction, bool created) = _state.Record(candidate);
            if (!created)
            {
                _state.CountIdempotentReplay();
            }
            else if (TryDropResponse(context, SandboxEndpoint.Interactions))
            {
                // Created and recorded (key included), but the client never learns: a retry with the key gets the replay.
                return;
            }

            await WriteInteractionAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, interaction);
        }
    }

    /// <summary>
    /// Counts the request and plays any injected fault, in this order: latency, hang (HangNext, HangFor, hang rate),
    /// error (FailNext, FailFor, error rate). False means the request is already dealt with.
    /// </summary>
    private async ValueTask<bool> ApplyFaultsAsync(HttpContext context, SandboxEndpoint endpoint)
    {
        _state.CountRequest(endpoint);
        EndpointFaults faults = _state.Faults(endpoint);

        TimeSpan latency = faults.Latency;
        if (latency > TimeSpan.Zero)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            try
            {
                await Task.Delay(latency, _state.Time, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
                return false;
            }
        }

        if (faults.ShouldHang())
        {
            _state.CountHung(endpoint);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _state.Time, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                // Expected: the hang ends only when the client gives up or the host stops.
            }

            // Drop the connection so a hung request never produces a response, even at shutdown.
            context.Abort();
            return false;
        }

        if (faults.TryTakeError() is { } error)
        {
            _state.CountInjectedFailure(endpoint);
            if (error.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            await WriteBytesAsync(context, error.Status, error.Body);
            return false;
        }

        return true;
    }

    /// <summary>For a request that succeeded: true if its response is to be dropped, in which case the connection is already aborted.</summary>
    private bool TryDropResponse(HttpContext context, SandboxEndpoint endpoint)
    {
        if (!_state.Faults(endpoint).ShouldDrop())
        {
            return false;
        }

        _state.CountDroppedResponse();
        context.Abort();
        return true;
    }

    private async ValueTask<bool> AuthorizeAsync(HttpContext context)
    {
        TokenStatus status = Authenticate(context.Request);
        if (status == TokenStatus.Valid)
        {
            return true;
        }

        context.Response.Headers.WWWAuthenticate = status == TokenStatus.Missing ? "Bearer" : "Bearer error=\"invalid_token\"";
        byte[] body = status switch
        {
            TokenStatus.Missing => s_missingTokenBody,
            TokenStatus.Expired => s_expiredTokenBody,
            TokenStatus.Revoked => s_revokedTokenBody,
            _ => s_unknownTokenBody,
        };
        await WriteBytesAsync(context, StatusCodes.Status401Unauthorized, body);
        return false;
    }

    private TokenStatus Authenticate(HttpRequest request)
    {
        StringValues header = request.Headers.Authorization;
        if (header.Count != 1)
        {
            return TokenStatus.Missing;
        }

        ReadOnlySpan<char> value = header[0].AsSpan().Trim();
        const string scheme = "Bearer ";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return TokenStatus.Missing;
        }

        ReadOnlySpan<char> token = value[scheme.Length..].TrimStart();
        return token.IsEmpty ? TokenStatus.Missing : _state.Tokens.Validate(token);
    }

    private bool AudienceMatches(string audience, HttpRequest request)
    {
        if (_state.ExpectedAudience is { } expected && string.Equals(audience, expected, StringComparison.Ordinal))
        {
            return true;
        }

        // Like the seed, which derives the audience from the domain it calls: when no audience is configured,
        // also accept "{scheme}://{host}/" of the address the client used (e.g. localhost vs 127.0.0.1).
        return _state.ConfiguredAudience is null && MatchesRequestOrigin(audience, request);
    }

    private static bool MatchesRequestOrigin(ReadOnlySpan<char> audience, HttpRequest request)
    {
        string scheme = request.Scheme;
        string host = request.Host.Value ?? string.Empty;
        return audience.Length == scheme.Length + 3 + host.Length + 1
            && audience.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && audience[scheme.Length..].StartsWith("://", StringComparison.Ordinal)
            && audience.Slice(scheme.Length + 3, host.Length).Equals(host, StringComparison.OrdinalIgnoreCase)
            && audience[^1] == '/';
    }

    private static string? FormField(IFormCollection form, string name) =>
        form.TryGetValue(name, out StringValues values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static bool FixedTimeEquals(string left, string right) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(left.AsSpan()), MemoryMarshal.AsBytes(right.AsSpan()));

    private static bool HasMediaType(string? contentType, string mediaType) =>
        MediaType(contentType).Equals(mediaType, StringComparison.OrdinalIgnoreCase);

    private static bool HasJsonSuffix(string? contentType) =>
        MediaType(contentType).EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static ReadOnlySpan<char> MediaType(string? contentType)
    {
        ReadOnlySpan<char> value = contentType;
        int parameters = value.IndexOf(';');
        return (parameters >= 0 ? value[..parameters] : value).Trim();
    }

    private static Task WriteInteractionAsync(HttpContext context, int status, CreatedInteraction interaction)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new InteractionCreatedResponse(interaction.Id, "queued", interaction.QueueId),
            SandboxJson.Context.InteractionCreatedResponse,
            contentType: null,
            context.RequestAborted);
    }

    private static Task WriteOAuthErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(
            new OAuthError(error, description), SandboxJson.Context.OAuthError, contentType: null, context.RequestAborted);
    }

    internal static Task WriteErrorAsync(HttpContext context, int status, string error, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ErrorBody(error, message), SandboxJson.Context.ErrorBody, contentType: null, context.RequestAborted);
    }

    internal static async Task WriteBytesAsync(HttpContext context, int status, byte[] body)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static byte[] ErrorBytes(string error, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(error, message), SandboxJson.Context.ErrorBody);
}
