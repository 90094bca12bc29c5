using CsCheck;
using OrleansRouting.WebFront.Webhook;

namespace OrleansRouting.Tests.Security;

/// <summary>
/// The session id is a grain key, an Azure Table key and a log field. These properties hold for every string the
/// WebFront accepts as a session id, not just for the examples in the HTTP tests.
/// </summary>
public sealed class SessionIdPolicyTests
{
    // Characters Azure Table storage forbids in PartitionKey/RowKey (plus C1 controls), and the ones Orleans'
    // Azure Table provider silently rewrites to '_' (which would make "a/b" and "a_b" one stored session).
    private static readonly char[] AzureTableForbidden = ['/', '\\', '#', '?'];

    // Everything that tends to break keys, paths, logs and dashboards, plus plain ASCII to make valid ids likely.
    private const string Hostile =
        "aZ09-_.:@ /\\#?%+&=~!$'\"<>()[]{}|`^*,;\t\n\r\0\u0001\u001b\u007f\u0085\u009f\u00a0\u00ad\u0130\u0131\u0430" +
        "\u1680\u2000\u200b\u200c\u200d\u200e\u202a\u202e\u2028\u2029\u2066\u2069\u3000\ufeff\uff0f\ufffd\uffff\ud83d\ude00\ud800\udc00";

    private static readonly Gen<string> HostileText = Gen.OneOf(
        Gen.Char[Hostile].Array[0, 24].Select(chars => new string(chars)),
        Gen.Char["abcXYZ0189-_.:@"].Array[1, 300].Select(chars => new string(chars)),
        Gen.String);

    [Fact]
    public void Every_accepted_session_id_is_a_safe_azure_table_key_and_log_field()
    {
        HostileText.Sample(id =>
        {
            if (id.Length == 0 || id.Length > new WebhookLimits().MaxSessionIdLength || TextRules.SessionIdProblem(id) is not null)
            {
                return;
            }

            Assert.DoesNotContain(id, c => AzureTableForbidden.Contains(c) || char.IsControl(c) || char.IsWhiteSpace(c));
            Assert.All(id, c => Assert.True(char.IsAscii(c), $"non-ASCII U+{(int)c:X4}"));
            Assert.Contains(id, char.IsAsciiLetterOrDigit);

            // Orleans' Azure Table key is "{serviceId}_{grainId}", limited to 1 KiB; ours stays far below it.
            Assert.True($"orleans-routing_session/{id}".Length < 1024);
        }, iter: 20_000);
    }

    [Theory]
    [InlineData("3f2b8c1e-9a4d-4e0b-8f3a-2c1d5e6f7a8b")]
    [InlineData("session-3f2b8c1e9a4d4e0b8f3a2c1d5e6f7a8b")]
    [InlineData("vg-4930123:call-7@gw.example.com")]
    [InlineData("Webchat_User.42:abc@tenant-eu")]
    [InlineData("a")]
    [InlineData("0")]
    public void Cognigy_style_ids_are_accepted(string id) => Assert.Null(TextRules.SessionIdProblem(id));

    [Theory]
    [InlineData("a/b", "U+002F")]
    [InlineData("a\\b", "U+005C")]
    [InlineData("..", "letter or digit")]
    [InlineData(".", "letter or digit")]
    [InlineData("-_:@", "letter or digit")]
    [InlineData("a#b", "U+0023")]
    [InlineData("a?b", "U+003F")]
    [InlineData("a%2Fb", "U+0025")]
    [InlineData("a+b", "U+002B")]
    [InlineData(" abc", "U+0020 at position 1")]
    [InlineData("abc ", "U+0020 at position 4")]
    [InlineData("ab\u0000c", "U+0000")]
    [InlineData("ab\u001b[31m", "U+001B")]
    [InlineData("ab\u200bc", "U+200B")]
    [InlineData("ab\u202ec", "U+202E")]
    [InlineData("\ufeffabc", "U+FEFF")]
    [InlineData("s\u0435ssion", "U+0435")]
    [InlineData("\uff53ession", "U+FF53")]
    [InlineData("ab\ud83d\ude00", "U+D83D")]
    public void Ambiguous_or_unsafe_ids_are_refused_naming_the_character(string id, string expected)
    {
        var problem = TextRules.SessionIdProblem(id);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
