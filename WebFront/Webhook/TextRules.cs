using System.Buffers;
using System.Globalization;
using System.Text;

namespace OrleansRouting.WebFront.Webhook;

/// <summary>
/// Which characters each kind of webhook string may hold, decided by where the value ends up:
/// <list type="bullet">
/// <item>A session id becomes a grain key, an Azure Table/Blob storage key, a structured log field, CXone's
/// <c>Idempotency-Key</c> and what an operator types into the dashboard. It is held to an ASCII allow-list: Cognigy's
/// ids are UUIDs or UUID-like (<c>session-…</c>, <c>voice-…@host</c>), and anything else that looks alike
/// (homoglyphs, invisible characters) would let two sessions look the same in logs or collide in storage.</item>
/// <item>An intent name is matched against configuration and logged: printable text with plain spaces.</item>
/// <item>Display text (user name, e-mail) goes to CXone as contact details: no controls and no invisible formatting,
/// except the zero-width (non-)joiner that emoji sequences and Persian or Indic names need.</item>
/// <item>Free text (<c>input</c>) is what the customer typed, shown to the agent; it may hold tabs and line breaks and
/// every format character people's keyboards produce, but no other control characters. It is never a key or logged.</item>
/// </list>
/// Every check returns a sentence fragment naming the first offending character by code point (never echoing it).
/// </summary>
internal static class TextRules
{
    public const string SessionIdAlphabet = "A-Z a-z 0-9 - _ . : @";

    // '/' and '\' would be path separators in blob names and are rewritten to '_' by Orleans' Azure Table keys
    // (so "a/b" and "a_b" would share one stored session); '#' and '?' are forbidden in Azure Table keys; '+', '%'
    // and '&' change meaning in the dashboard's query strings. None of them occurs in a Cognigy session id.
    private static readonly SearchValues<char> SessionIdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:@");

    // CognigyScript renders a missing value as text; routing on it would merge unrelated sessions into one.
    private static readonly string[] UnsetScriptValues = ["null", "undefined", "[object Object]", "NaN"];

    /// <summary>Why <paramref name="value"/> is not a usable session id, or null.</summary>
    public static string? SessionIdProblem(string value)
    {
        var index = value.AsSpan().IndexOfAnyExcept(SessionIdCharacters);
        if (index >= 0)
        {
            return $"may only contain {SessionIdAlphabet}; found {Describe(value, index)}";
        }

        // Excludes ".", ".." and other punctuation-only ids, which read as paths and carry no identity.
        return value.AsSpan().IndexOfAnyInRange('0', '9') < 0 && !value.Any(char.IsAsciiLetter)
            ? "must contain a letter or digit"
            : null;
    }

    /// <summary>Why <paramref name="value"/> is not a usable intent name, or null.</summary>
    public static string? IntentProblem(string value)
    {
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            // "billing_issue " would silently miss its Routing:IntentQueues entry and go to the fallback queue.
            return "must not start or end with whitespace";
        }

        return FirstForbidden(value, static c => c == ' ' ? null : Category(c, allowJoiners: false, allowLineBreaks: false, allowFormat: false, allowOtherSpaces: false));
    }

    /// <summary>Why <paramref name="value"/> is not usable as a customer name or e-mail address, or null.</summary>
    public static string? DisplayTextProblem(string value) =>
        FirstForbidden(value, static c => Category(c, allowJoiners: true, allowLineBreaks: false, allowFormat: false, allowOtherSpaces: true));

    /// <summary>Why <paramref name="value"/> is not usable as the customer's input text, or null.</summary>
    public static string? FreeTextProblem(string value) =>
        FirstForbidden(value, static c => Category(c, allowJoiners: true, allowLineBreaks: true, allowFormat: true, allowOtherSpaces: true));

    /// <summary>True for the text CognigyScript produces where a value was missing.</summary>
    public static bool IsUnsetScriptValue(string value) =>
        UnsetScriptValues.Any(unset => value.Equals(unset, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a <c>{{…}}</c> expression sent as literal text (a node field left in text mode).</summary>
    public static bool IsUnrenderedScript(string value) =>
        value.Contains("{{", StringComparison.Ordinal) && value.Contains("}}", StringComparison.Ordinal);

    private static string? FirstForbidden(string value, Func<char, string?> classify)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                // The JSON reader already refuses unpaired surrogates; this keeps the rule true for any caller.
                if (Rune.DecodeFromUtf16(value.AsSpan(i), out _, out var consumed) != OperationStatus.Done)
                {
                    return $"must be valid Unicode text; found an unpaired surrogate at position {i + 1}";
                }

                i += consumed - 1;
                continue;
            }

            if (classify(c) is { } kind)
            {
                return $"must not contain {kind}; found {Describe(value, i)}";
            }
        }

        return null;
    }

    private static string? Category(char c, bool allowJoiners, bool allowLineBreaks, bool allowFormat, bool allowOtherSpaces)
    {
        if (c is '\t' or '\n' or '\r')
        {
            return allowLineBreaks ? null : "control characters (tabs or line breaks)";
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control => "control characters",
            UnicodeCategory.Format when c is '\u200C' or '\u200D' => allowJoiners ? null : "invisible formatting characters",
            UnicodeCategory.Format => allowFormat ? null : "invisible formatting characters (zero-width, bidirectional or byte-order marks)",
            UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => allowLineBreaks ? null : "line or paragraph separators",
            UnicodeCategory.SpaceSeparator => allowOtherSpaces ? null : "spaces other than the plain space",
            _ => null,
        };
    }

    private static string Describe(string value, int index) =>
        $"U+{(int)value[index]:X4} at position {index + 1}";
}
