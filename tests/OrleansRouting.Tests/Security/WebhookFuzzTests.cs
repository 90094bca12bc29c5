using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Security;

/// <summary>
/// Throws generated requests at the WebFront: random JSON at every field, nesting past the limit, strings with
/// control, invisible and unpaired-surrogate characters, huge and NaN-like numbers, repeated fields, truncated and
/// oversized bodies, invalid UTF-8, wrong or missing content types, and every way of getting the API key wrong.
/// The contract: no 5xx; every answer is a 2xx or a 4xx problem+json whose status matches; nothing refused reaches
/// a session grain or CXone.
/// </summary>
public sealed class WebhookFuzzTests(ITestOutputHelper output)
{
    private const int Requests = 10_000;

    [Fact]
    public async Task Generated_hostile_requests_never_get_a_5xx_and_refused_ones_reach_no_grain()
    {
        await using var stack = await RoutingStack.StartAsync(options =>
        {
            options.Silos = 1;

            // This test is about validation; the rate limiter has its own tests.
            options.WebFrontSettings["Webhook:RateLimit:PermitsPerSecond"] = "1000000";
            options.WebFrontSettings["Webhook:RateLimit:Burst"] = "1000000";
        });
        using var client = stack.WebFront.CreateClient();
        var statuses = new ConcurrentDictionary<int, int>();
        var routedSessions = new ConcurrentBag<string>();
        var refusedSessions = new ConcurrentBag<string>();
        var sent = 0;
        var clock = Stopwatch.StartNew();

        await FuzzRequest.Generator.SampleAsync(async request =>
        {
            Interlocked.Increment(ref sent);
            using var message = request.ToHttpRequest();
            using var response = await client.SendAsync(message);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);

            Assert.True(status < 500, $"{status}: {body}");
            Assert.True(response.Headers.Contains("X-Content-Type-Options"), "security headers");
            if (response.IsSuccessStatusCode)
            {
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                routedSessions.Add(JsonDocument.Parse(request.Bytes()).RootElement.GetProperty("sessionId").GetString()!);
                return;
            }

            Assert.InRange(status, 400, 499);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
            if (request.UniqueSessionId is { } sessionId)
            {
                refusedSessions.Add(sessionId);
            }
        }, iter: Requests, threads: 4, seed: null);

        clock.Stop();
        output.WriteLine($"{sent} requests in {clock.Elapsed.TotalSeconds:F1} s; answers: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));

        Assert.True(sent >= Requests);

        // The generator reaches every refusal the webhook has, and enough valid requests to exercise routing.
        Assert.All([400, 401, 413, 415], status => Assert.True(statuses.ContainsKey(status), $"no {status} generated"));
        Assert.True(statuses.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value) >= Requests / 10, "too few valid requests");

        // CXone saw only sessions whose webhook was accepted.
        var routed = routedSessions.ToHashSet(StringComparer.Ordinal);
        Assert.All(stack.Sandbox.State.Interactions, created => Assert.Contains(created.SessionId, routed));

        // No refused request touched its session grain (a sample: each check activates a grain).
        var refused = refusedSessions.Distinct().Where(id => !routed.Contains(id)).ToList();
        Assert.True(refused.Count > 1000, $"only {refused.Count} refused requests had a unique session id");
        foreach (var sessionId in refused.Take(300))
        {
            Assert.Equal(0, (await stack.Session(sessionId).GetState()).Attempts);
        }
    }
}

/// <summary>One generated request; <see cref="UniqueSessionId"/> is set when its sessionId is a string no other request uses.</summary>
public sealed record FuzzRequest(string Body, bool Latin1, string? ContentType, string[] ApiKeys, string? Accept, bool Chunked, string? UniqueSessionId, (string Name, string Value)? Extra)
{
    private const string Hostile =
        "aZ09 -_.:@/\\#?%+&=~{}[]\"'<>,\t\n\r\0\u0001\u001b\u007f\u0085\u009f\u00a0\u00ad\u00e9\u0435\u200b\u200c\u200d\u200e\u202e" +
        "\u2028\u2066\u3000\ufeff\uff0f\uffff\u4e2d\ud83d\ude00\ud800\udc00";

    private static readonly Gen<string> HostileText = Gen.Char[Hostile].Array[0, 16].Select(chars => new string(chars));

    private static readonly Gen<string> AnyText = Gen.Frequency(
        (5, HostileText),
        (2, Gen.String),
        (3, Gen.OneOf("null", "undefined", "", "   ", "[object Object]", "{{ci.sessionId}}", "..", ".", "NaN", "true", "0", "billing_issue", "/")),
        (1, Gen.Int[120, 5000].Select(n => new string('x', n))));

    private static readonly Gen<string> Number = Gen.Frequency(
        (3, Gen.Double[0, 1].Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e999")),
        (2, Gen.OneOf("0", "-0", "1", "1.0", "1e0", "0.5e1", "1e400", "-1e400", "1e-400", "1.0000000000000002", "123456789012345678901234567890",
            "NaN", "Infinity", "-Infinity", "01", ".5", "1e", "+1", "0x1F", "1_0", "- 1")));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (4, AnyText.Select(text => Quote(text, escapeAll: true))),
        (1, AnyText.Select(text => Quote(text, escapeAll: false))),
        (2, Number),
        (1, Gen.OneOf("true", "false", "null", "nul", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u00\"", "\"\\x41\"", "'single'", "\"unterminated")));

    private static readonly Gen<string> AnyJson = Value(4);

    private static readonly Gen<string> SessionIdBase = Gen.ULong.Select(n => $"fuzz-{n:x16}");

    // (raw JSON, the id if it is a string unique to this request)
    private static readonly Gen<(string Json, string? Unique)> SessionId = Gen.Frequency(
        (6, SessionIdBase.Select(id => (Quote(id, escapeAll: true), (string?)id))),
        (3, Gen.Select(SessionIdBase, HostileText, Gen.Bool, (id, suffix, escapeAll) => (Quote(id + suffix, escapeAll), (string?)(id + suffix)))),
        (2, Gen.Select(SessionIdBase, HostileText, (id, prefix) => (Quote(prefix + id, escapeAll: true), (string?)(prefix + id)))),
        (2, AnyJson.Select(json => (json, (string?)null))));

    private static readonly Gen<string> IntentName = Gen.Frequency(
        (6, Gen.OneOf("billing_issue", "technical_support", "sales_inquiry", "general_feedback", "unmapped_intent", "Rechnung prüfen").Select(n => Quote(n, escapeAll: true))),
        (3, AnyText.Select(text => Quote(text, escapeAll: true))),
        (1, AnyJson));

    private static readonly Gen<string> Confidence = Gen.Frequency((6, Gen.Double[0, 1].Select(d => d.ToString("R", CultureInfo.InvariantCulture))), (3, Number), (1, AnyJson));

    private static readonly Gen<string> Intent = Gen.Frequency(
        (8, Gen.Select(IntentName, Confidence, (name, confidence) => $"{{\"intent\":{name},\"confidence\":{confidence}}}")),
        (1, Gen.Select(IntentName, Confidence, Confidence, (name, c1, c2) => $"{{\"intent\":{name},\"confidence\":{c1},\"confidence\":{c2}}}")),
        (1, AnyJson));

    private static readonly Gen<string> Intents = Gen.Frequency(
        (8, Intent.Array[1, 4].Select(items => $"[{string.Join(',', items)}]")),
        (1, Intent.Array[45, 55].Select(items => $"[{string.Join(',', items)}]")),
        (1, Gen.Const("[]")),
        (1, AnyJson));

    private static readonly Gen<string> UserField = Gen.Frequency(
        (6, Gen.OneOf("\"Ada Lovelace\"", "\"ada@example.com\"", "\"\\ud83d\\udc69\\u200d\\ud83d\\udcbb Ada\"")),
        (3, AnyText.Select(text => Quote(text, escapeAll: true))),
        (1, AnyJson));

    private static readonly Gen<string> User = Gen.Frequency(
        (7, Gen.Select(UserField, UserField, (name, email) => $"{{\"name\":{name},\"email\":{email}}}")),
        (1, Gen.Const("{}")),
        (1, AnyJson));

    private static readonly Gen<string> Input = Gen.Frequency(
        (6, Gen.OneOf("\"I was charged twice\"", "\"line one\\nline two\\ttab \\u200f\\u05e9\"", "\"\"")),
        (3, AnyText.Select(text => Quote(text, escapeAll: true))),
        (1, Gen.Int[3990, 4010].Select(n => Quote(new string('i', n), escapeAll: true))),
        (1, AnyJson));

    private static readonly Gen<string> Metadata = Gen.Frequency(
        (6, Gen.Const("{\"channel\":\"webchat\"}")),
        (2, AnyJson),
        (1, Gen.Int[10, 40].Select(depth => new string('[', depth) + new string(']', depth))),
        (1, Gen.Int[60_000, 70_000].Select(n => Quote(new string('m', n), escapeAll: true))));

    // Each field is present (mostly), missing, or sent twice; unknown fields come along.
    private static Gen<string> Field(string name, Gen<string> value) => Gen.Frequency(
        (16, value.Select(v => $"\"{name}\":{v}")),
        (1, Gen.Const("")),
        (1, Gen.Select(value, value, (a, b) => $"\"{name}\":{a},\"{name}\":{b}")));

    private static readonly Gen<(string Json, string? Unique)> Payload =
        Gen.Select(SessionId, Field("user", User), Field("input", Input), Field("intents", Intents), Field("metadata", Metadata),
            Gen.Select(AnyText, AnyJson).Array[0, 2], Gen.Frequency((16, Gen.Const(true)), (1, Gen.Const(false))),
            (session, user, input, intents, metadata, extra, withSession) =>
            {
                var fields = new List<string> { user, input, intents, metadata };
                if (withSession)
                {
                    fields.Insert(0, $"\"sessionId\":{session.Json}");
                }

                fields.AddRange(extra.Select(e => $"{Quote(e.Item1, escapeAll: true)}:{e.Item2}"));
                return ($"{{{string.Join(',', fields.Where(f => f.Length > 0))}}}", withSession ? session.Unique : null);
            });

    // Valid in every field, so that routing runs under the same load; unknown fields of any JSON come along.
    private static readonly Gen<(string Json, string? Unique)> ValidPayload = Gen.Select(
        SessionIdBase, Gen.Int[1, 4], Gen.Double[0, 1].Array[4], Gen.Select(Gen.Char["abcdefgh_"].Array[1, 12], AnyJson).Array[0, 2],
        (sessionId, count, confidences, extra) =>
        {
            string[] names = ["billing_issue", "technical_support", "sales_inquiry", "general_feedback"];
            var intents = string.Join(',', Enumerable.Range(0, count).Select(i =>
                $"{{\"intent\":\"{names[i]}\",\"confidence\":{confidences[i].ToString("R", CultureInfo.InvariantCulture)}}}"));
            var unknown = string.Concat(extra.Select(e => $",\"x_{new string(e.Item1)}\":{e.Item2}"));
            return ($"{{\"sessionId\":\"{sessionId}\",\"user\":{{\"name\":\"Ada\"}},\"input\":\"help\",\"intents\":[{intents}]{unknown}}}", (string?)sessionId);
        });

    private static readonly Gen<(string Json, string? Unique)> Bodies = Gen.Frequency(
        (12, ValidPayload),
        (24, Payload),
        (1, Payload.SelectMany(p => Gen.Int[0, p.Json.Length].Select(cut => (p.Json[..cut], p.Unique)))),
        (1, Payload.Select(p => ("\ufeff" + p.Json, p.Unique))),
        (1, Payload.Select(p => (p.Json + "}garbage", p.Unique))),
        (1, Payload.Select(p => (p.Json.Replace("{", "{/*c*/", StringComparison.Ordinal).Replace("}", ",}", StringComparison.Ordinal), p.Unique))),
        (1, AnyJson.Select(json => (json, (string?)null))),
        (1, HostileText.Select(text => (text, (string?)null))));

    private static readonly Gen<string?> ContentTypes = Gen.Frequency(
        (20, Gen.Const<string?>("application/json")),
        (4, Gen.Const<string?>("application/json; charset=utf-8")),
        (6, Gen.OneOf<string?>(null, "", "text/plain", "text/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/vnd.cognigy+json", "APPLICATION/JSON", "application/json; charset=utf-16", "application/jsonx", "*/*", "json",
            "application/json;;", "application/problem+json", "application/xml")));

    private static readonly Gen<string[]> KeySets = Gen.Frequency(
        (24, Gen.Const<string[]>([StackOptions.ApiKey])),
        (4, Gen.Const<string[]>([StackOptions.RotatedApiKey])),
        (6, Gen.OneOf<string[]>(
            [],
            [""],
            ["wrong-key-0123456789abcdef"],
            [StackOptions.ApiKey + "x"],
            [StackOptions.ApiKey.ToUpperInvariant()],
            [" " + StackOptions.ApiKey],
            [StackOptions.ApiKey, StackOptions.ApiKey],
            [StackOptions.ApiKey, StackOptions.RotatedApiKey],
            [new string('k', 8192)],
            ["кл\u044eч-0123456789abcdef"])));

    private static readonly Gen<(string, string)?> ExtraHeader = Gen.Frequency(
        (8, Gen.Const<(string, string)?>(((string, string)?)null)),
        (1, Gen.OneOf<(string, string)?>(("Origin", "https://evil.example"), ("X-Forwarded-Proto", "http"), ("Content-Encoding", "gzip"),
            ("Accept-Charset", "utf-7"), ("X-Api-Key-Id", "key-0"), ("Authorization", "Bearer x"))));

    public static readonly Gen<FuzzRequest> Generator = Gen.Select(
        Bodies, Gen.Frequency((12, Gen.Const(false)), (1, Gen.Const(true))), ContentTypes, KeySets,
        Gen.Frequency((6, Gen.Const<string?>((string?)null)), (1, Gen.OneOf<string?>("application/json", "text/html", "application/xml", "*/*"))),
        Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))), ExtraHeader,
        (body, latin1, contentType, keys, accept, chunked, extra) => new FuzzRequest(body.Json, latin1, contentType, keys, accept, chunked, body.Unique, extra));

    /// <summary>What goes on the wire (an unpaired surrogate in UTF-8 becomes U+FFFD; Latin-1 makes non-ASCII invalid UTF-8).</summary>
    public byte[] Bytes() => (Latin1 ? Encoding.Latin1 : Encoding.UTF8).GetBytes(Body);

    public HttpRequestMessage ToHttpRequest()
    {
        var bytes = Bytes();
        HttpContent content = Chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
        if (ContentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/cognigy") { Content = content };
        foreach (var key in ApiKeys)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", key);
        }

        if (Accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", Accept);
        }

        if (Extra is { } header)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        request.Headers.TransferEncodingChunked = Chunked;
        return request;
    }

    public override string ToString() =>
        $"Body({Body.Length}): {(Body.Length > 2000 ? Body[..2000] + "…" : Body)}; Latin1={Latin1}; ContentType={ContentType}; " +
        $"ApiKeys=[{string.Join(" | ", ApiKeys.Select(k => k.Length > 40 ? k[..40] + "…" : k))}]; Accept={Accept}; Chunked={Chunked}; Extra={Extra}";

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (5, Scalar),
            (1, Value(depth - 1).Array[0, 3].Select(items => $"[{string.Join(',', items)}]")),
            (1, Gen.Select(AnyText, Value(depth - 1)).Array[0, 3].Select(props => $"{{{string.Join(',', props.Select(p => $"{Quote(p.Item1, escapeAll: true)}:{p.Item2}"))}}}")));

    /// <summary>A JSON string literal; without <paramref name="escapeAll"/> control and non-ASCII characters go in raw.</summary>
    private static string Quote(string text, bool escapeAll)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (escapeAll && (c < 0x20 || c > 0x7E))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }
}
