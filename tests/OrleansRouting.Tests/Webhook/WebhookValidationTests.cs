using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CxoneSandbox;
using OrleansRouting.Tests.Infrastructure;

namespace OrleansRouting.Tests.Webhook;

[Collection(SharedStackCollection.Name)]
public sealed class WebhookValidationTests(SharedStackFixture fixture)
{
    private RoutingStack Stack => fixture.Stack;

    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        // body, field named in errors, part of the message
        { """{"user":{"name":"A","email":"a@b.c"},"input":"x","intents":[{"intent":"billing_issue","confidence":0.9}]}""", "sessionId", "required" },
        { """{"sessionId":"s-1","input":"x","intents":[{"intent":"billing_issue","confidence":0.9}]}""", "user", "required" },
        { """{"sessionId":"s-1","user":{},"intents":[{"intent":"billing_issue","confidence":0.9}]}""", "input", "required" },
        { """{"sessionId":"s-1","user":{},"input":"x"}""", "intents", "required" },
        { """{"sessionId":"s-1","user":{},"input":"x","intents":[]}""", "intents", "No intents detected" },
        { """{"sessionId":42,"user":{},"input":"x","intents":[{"intent":"a","confidence":0.9}]}""", "sessionId", "must be a string" },
        { """{"sessionId":"s-1","user":"ada","input":"x","intents":[{"intent":"a","confidence":0.9}]}""", "user", "must be an object" },
        { """{"sessionId":"s-1","user":{"name":7},"input":"x","intents":[{"intent":"a","confidence":0.9}]}""", "user.name", "must be a string" },
        { """{"sessionId":"s-1","user":{},"input":["x"],"intents":[{"intent":"a","confidence":0.9}]}""", "input", "must be a string" },
        { """{"sessionId":"s-1","user":{},"input":"x","intents":{"intent":"a"}}""", "intents", "must be an array" },
        { """{"sessionId":"s-1","user":{},"input":"x","intents":["billing_issue"]}""", "intents[0]", "must be an object" },
        { """{"sessionId":"s-1","user":{},"input":"x","intents":[{"confidence":0.9}]}""", "intents[0].intent", "required" },
        { """{"sessionId":"s-1","user":{},"input":"x","intents":[{"intent":"a","confidence":"high"}]}""", "intents[0].confidence", "must be a number" },
        { """{"sessionId":"s-1","user":{},"input":"x","intents":[{"intent":"a","confidence":1.5}]}""", "intents[0].confidence", "between 0 and 1" },
        { """{"sessionId":"   ","user":{},"input":"x","intents":[{"intent":"a","confidence":0.9}]}""", "sessionId", "must not be empty" },
        { """{"sessionId":"null","user":{},"input":"x","intents":[{"intent":"a","confidence":0.9}]}""", "sessionId", "CognigyScript" },
        { """[1,2,3]""", "$", "JSON object" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_payload_is_a_400_problem_naming_the_field(string body, string field, string message)
    {
        var createsBefore = Stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions);

        using var response = await PostRawAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains(messages, m => m!.Contains(message, StringComparison.Ordinal));
        Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(createsBefore, Stack.Sandbox.State.RequestCount(SandboxEndpoint.Interactions));
    }

    [Theory]
    [InlineData("{\"sessionId\": \"s-1\", ")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("{\"sessionId\":\"s-1\"}}")]
    public async Task Malformed_json_is_a_400_problem(string body)
    {
        using var response = await PostRawAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Malformed JSON", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused_as_malformed_not_a_500()
    {
        var body = "{\"sessionId\":\"s\",\"metadata\":" + new string('[', 5000) + new string(']', 5000) + "}";

        using var response = await PostRawAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Non_json_content_type_is_a_415_problem(string? contentType)
    {
        using var response = await PostRawAsync(JsonSerializer.Serialize(Payloads.Escalation()), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_body_is_a_413_problem()
    {
        var payload = Payloads.Escalation();
        payload["metadata"] = new string('x', 70 * 1024);

        using var response = await PostRawAsync(JsonSerializer.Serialize(payload), "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Oversized_body_without_content_length_is_a_413_problem()
    {
        var payload = Payloads.Escalation();
        payload["metadata"] = new string('x', 70 * 1024);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(payload))));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/cognigy") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Stack.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_fields_are_tolerated_and_user_fields_are_optional()
    {
        var sessionId = Payloads.NewSessionId();
        var body = $$$"""{"sessionId":"{{{sessionId}}}","user":{},"input":"","intents":[{"intent":"billing_issue","confidence":0.5}],"extra":{"a":1}}""";

        using var response = await PostRawAsync(body, "application/json; charset=utf-8");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = Assert.Single(Stack.Sandbox.State.InteractionsForSession(sessionId));
        Assert.Equal("Unknown", created.CustomerName);
        Assert.Equal("unknown@example.com", created.CustomerEmail);
    }

    private async Task<HttpResponseMessage> PostRawAsync(string body, string? contentType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return await Stack.Client.PostAsync("/webhook/cognigy", content);
    }
}
