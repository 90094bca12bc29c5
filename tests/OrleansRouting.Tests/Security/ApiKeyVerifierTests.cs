using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OrleansRouting.WebFront.Security;

namespace OrleansRouting.Tests.Security;

public sealed class ApiKeyVerifierTests
{
    private const string First = "first-key-0123456789abcdef";
    private const string Second = "second-key-fedcba9876543210";

    private static ApiKeyVerifier Verifier() => new(Options.Create(new ApiKeyOptions { ApiKeys = [First, Second] }));

    [Theory]
    [InlineData(First, 0)]
    [InlineData(Second, 1)]
    [InlineData("first-key-0123456789abcdeF", -1)]
    [InlineData("first-key-0123456789abcde", -1)]
    [InlineData("first-key-0123456789abcdef ", -1)]
    [InlineData("", -1)]
    public void Match_names_the_key_index_only_for_an_exact_match(string presented, int expected) =>
        Assert.Equal(expected, Verifier().Match(presented));

    [Fact]
    public void Keys_are_compared_with_fixed_time_equals_on_digests_and_never_with_an_early_exit_comparison()
    {
        var calls = CalledMethods(typeof(ApiKeyVerifier).GetMethod(nameof(ApiKeyVerifier.Match))!);

        Assert.Contains(calls, m => m.DeclaringType == typeof(CryptographicOperations) && m.Name == nameof(CryptographicOperations.FixedTimeEquals));
        Assert.Contains(calls, m => m.DeclaringType == typeof(SHA256) && m.Name == nameof(SHA256.HashData));
        Assert.DoesNotContain(calls, m =>
            m.Name is "Equals" or "op_Equality" or "SequenceEqual" or "Compare" or "CompareOrdinal" or "StartsWith" or "SequenceCompareTo");
    }

    [Fact]
    public void The_verifier_keeps_digests_not_the_keys()
    {
        var verifier = Verifier();
        var fields = typeof(ApiKeyVerifier).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

        Assert.DoesNotContain(fields, f => f.FieldType == typeof(string) || f.FieldType == typeof(IOptions<ApiKeyOptions>) || f.FieldType == typeof(ApiKeyOptions));
        var digests = Assert.Single(fields, f => f.FieldType == typeof(byte[][])).GetValue(verifier) as byte[][];
        Assert.All(digests!, d => Assert.Equal(SHA256.HashSizeInBytes, d.Length));
    }

    /// <summary>The methods a method body calls, read from its IL (call, callvirt).</summary>
    private static List<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var opCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value);
        var calls = new List<MethodBase>();
        for (var i = 0; i < il.Length;)
        {
            var code = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var opCode = opCodes[code];
            i += opCode.Size;
            if (opCode == OpCodes.Call || opCode == OpCodes.Callvirt)
            {
                calls.Add(method.Module.ResolveMethod(BitConverter.ToInt32(il, i), method.DeclaringType!.GetGenericArguments(), method.GetGenericArguments())!);
            }

            i += opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (BitConverter.ToInt32(il, i) * 4),
                _ => 4,
            };
        }

        return calls;
    }
}
