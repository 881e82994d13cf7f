namespace BrainTools.Checkpoint.Tests.Tree;

public sealed class TreePathTests
{
    [Fact]
    public void ToString_RootAndChildren_WritesBraintoolsForm()
    {
        Assert.Equal(".", TreePath.Root.ToString());
        Assert.Equal("./a", TreePath.Root.Child("a").ToString());
        Assert.Equal("./a/b", TreePath.Root.Child("a").Child("b").ToString());
    }

    [Fact]
    public void ToString_PathDeeperThanLimit_ShowsBothEndsAndCount()
    {
        TreePath path = TreePath.Root;
        for (int i = 0; i < 40; i++)
        {
            path = path.Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal("./0/1/2/3/4/5/6/7/...(24 more)/32/33/34/35/36/37/38/39", path.ToString());
        Assert.Equal(40, path.Keys.Count);
        Assert.Equal("39", path.Keys[^1]);
    }

    [Fact]
    public void ToString_PathAtLimit_IsNotShortened()
    {
        TreePath path = TreePath.Root;
        for (int i = 0; i < TreePath.MaxShownKeys; i++)
        {
            path = path.Child("k");
        }

        Assert.Equal("." + string.Concat(Enumerable.Repeat("/k", TreePath.MaxShownKeys)), path.ToString());
    }

    [Theory]
    [InlineData(".", 0)]
    [InlineData("", 0)]
    [InlineData("./a/b", 2)]
    [InlineData("a/b/c", 3)]
    public void Parse_BothForms_GivesKeys(string text, int depth)
    {
        TreePath path = TreePath.Parse(text);
        Assert.Equal(depth, path.Depth);
        Assert.Equal(path, TreePath.Parse(path.ToString()));
    }

    [Fact]
    public void Equals_SameKeysDifferentInstances_AreEqualWithSameHash()
    {
        TreePath a = TreePath.Root.Child("x").Child("y");
        TreePath b = TreePath.Parse("./x/y");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, TreePath.Parse("./x/z"));
        Assert.NotEqual(a, a.Parent);
        Assert.Equal("x/y", a.ToRelativeString());
    }
}
