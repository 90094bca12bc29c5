using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Security;

/// <summary>
/// Each input limit and character rule, at the boundary: what is accepted routes, what is refused is a 400 naming the
/// field and never reaches a session grain or CXone.
/// </summary>
[Collection(SharedStackCollection.Name)]
public sealed class InputLimitsTests(SharedStackFixture fixture)
{
    private RoutingStack Stack => fixture.Stack;

    public static TheoryData<string, string, string> RefusedFields => new()
    {
        // JSON path to set, raw JSON value, field named in errors (with the message fragment after '|')
        { "user.name", Json(new string('n', 257)), "user.name|at most 256" },
        { "user.email", Json(new string('e', 250) + "@x.com1"), "user.email|at most 256" },
        { "input", Json(new string('i', 4001)), "input|at most 4000" },
        { "intents[1].intent", Json(new string('b', 129)), "intents[1].intent|at most 128" },
        { "intents[1].confidence", "1.0000001", "intents[1].confidence|between 0 and 1" },
        { "intents[1].confidence", "-0.0001", "intents[1].confidence|between 0 and 1" },
        { "intents[1].confidence", "1e400", "intents[1].confidence|must be a number" },
        { "intents[1].confidence", "\"NaN\"", "intents[1].confidence|must be a number" },
        { "intents[1].confidence", "\"0.9\"", "intents[1].confidence|must be a number" },
        { "intents[1].intent", "\"undefined\"", "intents[1].intent|CognigyScript" },
        { "intents[1].intent", "\"{{input.intent}}\"", "intents[1].intent|unrendered CognigyScript" },
        { "intents[1].intent", "\" billing_issue\"", "intents[1].intent|start or end with whitespace" },
        { "intents[1].intent", "\"billing\\u00a0issue\"", "intents[1].intent|U+00A0" },
        { "intents[1].intent", "\"billing_issue\\u200b\"", "intents[1].intent|U+200B" },
        { "intents[1].intent", "\"billing\\nissue\"", "intents[1].intent|line breaks" },
        { "user.name", "\"Ada\\u0007\"", "user.name|U+0007" },
        { "user.name", "\"Ada\\u202eecalevoL\"", "user.name|U+202E" },
        { "user.email", "\"ada@example.com\\r\\nBcc: x@evil.example\"", "user.email|line breaks" },
        { "input", "\"charged\\u0000twice\"", "input|U+0000" },
        { "input", "\"\\u001b[2Jcharged twice\"", "input|U+001B" },
        { "input", "\"charged \\ud800 twice\"", "input|valid Unicode" },
        { "sessionId", "\"\\udc00abc\"", "sessionId|valid Unicode" },
        { "sessionId", "\"undefined\"", "sessionId|CognigyScript" },
        { "sessionId", "\"[object Object]\"", "sessionId|CognigyScript" },
        { "sessionId", "\"{{ci.sessionId}}\"", "sessionId|unrendered CognigyScript" },
        { "sessionId", "\"\"", "sessionId|must not be empty" },
        { "sessionId", "\"../../etc/passwd\"", "sessionId|U+002F" },
        { "sessionId", "\"tenant\\\\session\"", "sessionId|U+005C" },
        { "sessionId", "\"..\"", "sessionId|letter or digit" },
        { "sessionId", "\"session 42\"", "sessionId|U+0020" },
        { "sessionId", "\"session-42\\n\"", "sessionId|U+000A" },
        { "sessionId", "\"s\\u0435ssion-42\"", "sessionId|U+0435" },
        { "sessionId", "\"session\\u200d-42\"", "sessionId|U+200D" },
        { "sessionId", Json(new string('s', 257)), "sessionId|at most 256" },
    };

    [Theory]
    [MemberData(nameof(RefusedFields))]
    public async Task Refused_value_is_a_400_naming_the_field_and_reaches_no_grain(string path, string rawValue, string expectation)
    {
        var (field, fragment) = (expectation.Split('|')[0], expectation.Split('|')[1]);
        var sessionId = Payloads.NewSessionId();
        var body = Body(sessionId, path, rawValue);

        using var response = await PostRawAsync(body);

        await AssertRefusedAsync(response, field, fragment);
        await AssertNothingRoutedAsync(sessionId);
    }

    public static TheoryData<string, string> AcceptedFields => new()
    {
        { "user.name", Json(new string('n', 256)) },
        { "user.email", Json(new string('e', 244) + "@example.com") },
        { "input", Json(new string('i', 4000)) },
        { "input", "\"line one\\nline two\\r\\n\\ttabbed \\u200f\\u05e9\\u05dc\\u05d5\\u05dd \\ud83d\\udc69\\u200d\\ud83d\\udcbb\"" },
        { "input", "\"\"" },
        { "intents[1].intent", Json("b" + new string('i', 127)) },
        { "intents[1].intent", "\"Rechnung pr\\u00fcfen\"" },
        { "intents[1].confidence", "0" },
        { "intents[1].confidence", "1" },
        { "intents[1].confidence", "1.0E0" },
        { "user.name", "\"\\ud83d\\udc69\\u200d\\ud83d\\udcbb Ada\"" },
        { "user.name", "\"\\u0645\\u0647\\u200c\\u0633\\u0627\"" },
        { "metadata", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":[1]}}}}}}}}}}}}}}" },
        { "extra", "{\"sessionId\":\"nested fields are not ours\",\"x\":[null,true,1e308]}" },
    };

    [Theory]
    [MemberData(nameof(AcceptedFields))]
    public async Task Value_at_the_limit_or_of_allowed_characters_is_routed(string path, string rawValue)
    {
        var sessionId = Payloads.NewSessionId();

        using var response = await PostRawAsync(Body(sessionId, path, rawValue));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("undefined")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Unset_cognigy_user_fields_fall_back_to_the_seeds_placeholders(string unset)
    {
        var sessionId = Payloads.NewSessionId();
        var body = Body(sessionId, "user", JsonSerializer.Serialize(new { name = unset, email = unset }));

        using var response = await PostRawAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.Equal("Unknown", created.CustomerName);
        Assert.Equal("unknown@example.com", created.CustomerEmail);
    }

    [Fact]
    public async Task More_intents_than_the_limit_is_a_400_and_the_limit_itself_routes()
    {
        var atLimit = Payloads.NewSessionId();
        var overLimit = Payloads.NewSessionId();
        string Intents(int count) => "[" + string.Join(',', Enumerable.Range(0, count).Select(i => $$"""{"intent":"i{{i}}","confidence":0.01}""")) + "]";

        using var accepted = await PostRawAsync(Body(atLimit, "intents", Intents(50)));
        using var refused = await PostRawAsync(Body(overLimit, "intents", Intents(51)));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await AssertRefusedAsync(refused, "intents", "At most 50");
        await AssertNothingRoutedAsync(overLimit);
    }

    [Theory]
    [InlineData(16, HttpStatusCode.OK)]
    [InlineData(17, HttpStatusCode.BadRequest)]
    public async Task Json_nesting_beyond_the_limit_is_refused(int depth, HttpStatusCode expected)
    {
        var sessionId = Payloads.NewSessionId();

        // The body object is level 1, so metadata holds depth - 1 more levels.
        var nested = new string('[', depth - 1) + new string(']', depth - 1);
        using var response = await PostRawAsync(Body(sessionId, "metadata", nested));

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            await AssertNothingRoutedAsync(sessionId);
        }
    }

    [Theory]
    [InlineData(0, HttpStatusCode.OK)]
    [InlineData(1, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Body_of_exactly_the_maximum_size_is_accepted_and_one_byte_more_is_a_413(int extraBytes, HttpStatusCode expected)
    {
        var sessionId = Payloads.NewSessionId();
        var template = Body(sessionId, "metadata", "\"\"");
        var padding = new string('p', 65536 - Encoding.UTF8.GetByteCount(template) + extraBytes);
        var body = Body(sessionId, "metadata", Json(padding));
        Assert.Equal(65536 + extraBytes, Encoding.UTF8.GetByteCount(body));

        using var response = await PostRawAsync(body);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            await AssertNothingRoutedAsync(sessionId);
        }
    }

    [Theory]
    [InlineData("""{"sessionId":"{sid}","sessionId":"other-session","user":{},"input":"x","intents":[{"intent":"a","confidence":0.5}]}""", "sessionId")]
    [InlineData("""{"sessionId":"{sid}","user":{"name":"A","name":"B"},"input":"x","intents":[{"intent":"a","confidence":0.5}]}""", "user.name")]
    [InlineData("""{"sessionId":"{sid}","user":{},"input":"x","intents":[{"intent":"a","confidence":0.1,"confidence":0.9}]}""", "intents[0].confidence")]
    [InlineData("""{"sessionId":"{sid}","user":{},"input":"x","input":"y","intents":[{"intent":"a","confidence":0.5}]}""", "input")]
    [InlineData("""{"sessionId":"{sid}","user":{},"input":"x","intents":[{"intent":"a","confidence":0.5}],"intent\u0073":[]}""", "intents")]
    public async Task Repeated_field_is_refused_rather_than_read_last_one_wins(string template, string field)
    {
        var sessionId = Payloads.NewSessionId();

        using var response = await PostRawAsync(template.Replace("{sid}", sessionId, StringComparison.Ordinal));

        await AssertRefusedAsync(response, field, "more than once");
        await AssertNothingRoutedAsync(sessionId);
        await AssertNothingRoutedAsync("other-session");
    }

    [Fact]
    public async Task Invalid_utf8_inside_a_string_is_a_400_not_a_500()
    {
        var sessionId = Payloads.NewSessionId();
        var prefix = Encoding.UTF8.GetBytes($$"""{"sessionId":"{{sessionId}}","user":{"name":"A""");
        var suffix = Encoding.UTF8.GetBytes("""B"},"input":"x","intents":[{"intent":"a","confidence":0.5}]}""");
        using var content = new ByteArrayContent([.. prefix, 0xC3, 0x28, 0xFF, .. suffix]);
        content.Headers.ContentType = new("application/json");

        using var response = await Stack.Client.PostAsync("/webhook/cognigy", content);

        await AssertRefusedAsync(response, "user.name", "valid Unicode");
        await AssertNothingRoutedAsync(sessionId);
    }

    private static string Json(string value) => JsonSerializer.Serialize(value);

    /// <summary>The standard escalation with the value at <paramref name="path"/> replaced by raw JSON.</summary>
    private static string Body(string sessionId, string path, string rawValue)
    {
        var root = JsonSerializer.SerializeToNode(Payloads.Escalation(sessionId))!.AsObject();
        const string Marker = "\"__replace_me__\"";
        JsonNode parent = root;
        var segments = path.Split('.');
        foreach (var segment in segments[..^1])
        {
            parent = Navigate(parent, segment);
        }

        var last = segments[^1];
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            var array = parent[last[..bracket]]!.AsArray();
            array[int.Parse(last[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)] = "__replace_me__";
        }
        else
        {
            parent[last] = "__replace_me__";
        }

        return root.ToJsonString().Replace(Marker, rawValue, StringComparison.Ordinal);
    }

    private static JsonNode Navigate(JsonNode node, string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0
            ? node[segment]!
            : node[segment[..bracket]]![int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string fragment)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"errors has no '{field}': {problem}");
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(fragment, StringComparison.Ordinal));
    }

    private async Task AssertNothingRoutedAsync(string sessionId)
    {
        Assert.Empty(Stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.Equal(0, (await Stack.Session(sessionId).GetState()).Attempts);
    }

    private async Task<HttpResponseMessage> PostRawAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Stack.Client.PostAsync("/webhook/cognigy", content);
    }
}
