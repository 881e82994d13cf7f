using System.Numerics;

namespace BrainTools.Checkpoint.Tests;

/// <summary>Compares trees node by node and reports the first difference with its path.</summary>
internal static class TreeAssert
{
    public static void Equal(StateNode expected, StateNode actual, string path = ".")
    {
        Assert.True(expected.Kind == actual.Kind, $"{path}: expected {expected.Kind}, got {actual.Kind}");
        if (expected is StateMap expectedMap)
        {
            var actualMap = (StateMap)actual;
            Assert.True(expectedMap.Keys.SequenceEqual(actualMap.Keys), $"{path}: keys [{string.Join(", ", expectedMap.Keys)}] vs [{string.Join(", ", actualMap.Keys)}]");
            foreach (KeyValuePair<string, StateNode> item in expectedMap)
            {
                Equal(item.Value, actualMap[item.Key], path == "." ? "./" + item.Key : path + "/" + item.Key);
            }

            return;
        }

        object? e = ((StateValue)expected).Value;
        object? a = ((StateValue)actual).Value;
        switch (e)
        {
            case NdArray ea:
                var aa = (NdArray)a!;
                Assert.True(ea.DType == aa.DType, $"{path}: dtype {ea.DType} vs {aa.DType}");
                Assert.True(ea.Shape == aa.Shape, $"{path}: shape {ea.Shape} vs {aa.Shape}");
                Assert.True(ea.Equals(aa), $"{path}: element bytes differ");
                break;
            case double ed:
                Assert.True(BitConverter.DoubleToInt64Bits(ed) == BitConverter.DoubleToInt64Bits((double)a!), $"{path}: float bits {ed} vs {a}");
                break;
            case Complex ec:
                Assert.True(expected.DeepEquals(actual), $"{path}: complex {ec} vs {a}");
                break;
            default:
                Assert.True(expected.DeepEquals(actual), $"{path}: {expected} vs {actual}");
                break;
        }
    }
}
