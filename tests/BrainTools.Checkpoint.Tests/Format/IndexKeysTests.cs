using System.Text;
using BrainTools.Checkpoint.Format;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>List-index keys ("0", "1", ...) are made once per process.</summary>
public class IndexKeysTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("7")]
    [InlineData("10")]
    [InlineData("999")]
    [InlineData("4095")]
    public void Find_AnIndexAsPythonWritesIt_TheSameStringEachTime(string key)
    {
        string? first = IndexKeys.Find(Encoding.UTF8.GetBytes(key));
        Assert.Equal(key, first);
        Assert.Same(first, IndexKeys.Find(Encoding.UTF8.GetBytes(key)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("4096")]
    [InlineData("10000")]
    [InlineData("1a")]
    [InlineData("weight")]
    [InlineData("١")] // An Arabic-Indic digit: not an ASCII index.
    public void Find_AnythingElse_Null(string key)
    {
        Assert.Null(IndexKeys.Find(Encoding.UTF8.GetBytes(key)));
    }
}
