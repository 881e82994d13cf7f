using System.Text.Json;

namespace BrainTools.Checkpoint.Cli.Tests;

public class ConvertCommandTests
{
    private static readonly (DType DType, string Name)[] SafetensorsNames =
    [
        (DType.Bool, "BOOL"), (DType.UInt8, "U8"), (DType.Int8, "I8"), (DType.Int16, "I16"), (DType.UInt16, "U16"),
        (DType.Int32, "I32"), (DType.UInt32, "U32"), (DType.Int64, "I64"), (DType.UInt64, "U64"), (DType.Float16, "F16"),
        (DType.BFloat16, "BF16"), (DType.Float32, "F32"), (DType.Float64, "F64"), (DType.Float8E4M3FN, "F8_E4M3"), (DType.Float8E5M2, "F8_E5M2"),
        (DType.Complex64, "C64"),
    ];

    /// <summary>A tree of every dtype safetensors has (odd lengths, so alignment matters) and of non-array leaves.</summary>
    private static StateMap AllSafetensorsDTypes()
    {
        var random = new Random(6);
        var arrays = new StateMap();
        foreach ((DType dtype, _) in SafetensorsNames)
        {
            byte[] bytes = new byte[3 * dtype.ItemSize];
            random.NextBytes(bytes);
            if (dtype == DType.Bool)
            {
                bytes = [1, 0, 1];
            }

            arrays.Add(dtype.Name, NdArray.FromBytes(dtype, new Shape(3), bytes));
        }

        return new StateMap
        {
            { "arrays", arrays },
            { "scalar0d", NdArray.Scalar(2.5f) },
            { "config", new StateMap { { "lr", 0.001 }, { "one", 1.0 }, { "steps", 1000L }, { "act", "relu" }, { "quote", "say \"hi\" ∂" }, { "flag", true }, { "none", StateValue.Null }, { "nan", double.NaN }, { "empty", new StateMap() } } },
        };
    }

    [Fact]
    public void Convert_MsgpackToSafetensors_FollowsTheFormatRules()
    {
        using var temp = new TempDirectory();
        StateMap tree = AllSafetensorsDTypes();
        Msgpack.Save(temp.File("in.msgpack"), tree);

        Ckpt.Result result = Ckpt.Run("convert", temp.File("in.msgpack"), temp.File("out.safetensors"));

        Assert.True(result.ExitCode == 0, result.ToString());
        (var tensors, Dictionary<string, string> metadata, long dataStart) = SafetensorsRules.Check(temp.File("out.safetensors"));
        byte[] file = File.ReadAllBytes(temp.File("out.safetensors"));
        foreach ((DType dtype, string name) in SafetensorsNames)
        {
            var tensor = tensors.Single(t => t.Name == "arrays." + dtype.Name);
            Assert.Equal(name, tensor.DType);
            Assert.Equal([3L], tensor.Shape);
            Assert.Equal(0, tensor.Begin % dtype.ItemSize);
            NdArray original = tree["arrays"][dtype.Name].AsArray();
            Assert.Equal(original.GetBytes(0, (int)original.ByteLength).ToArray(), file.AsSpan((int)(dataStart + tensor.Begin), (int)(tensor.End - tensor.Begin)).ToArray());
        }

        Assert.Equal([], tensors.Single(t => t.Name == "scalar0d").Shape);
        Assert.Equal("0.001", metadata["config.lr"]);
        Assert.Equal("1.0", metadata["config.one"]);
        Assert.Equal("1000", metadata["config.steps"]);
        Assert.Equal("relu", JsonSerializer.Deserialize<string>(metadata["config.act"]));
        Assert.Equal("true", metadata["config.flag"]);
        Assert.Equal("null", metadata["config.none"]);
        Assert.Equal("{}", metadata["config.empty"]);
        Assert.Equal(tensors.Count + metadata.Count, TreeLeaves.Of(tree).Count);
    }

    [Fact]
    public void Convert_SafetensorsBackToMsgpack_GivesTheSameLeaves()
    {
        using var temp = new TempDirectory();
        StateMap tree = AllSafetensorsDTypes();
        Msgpack.Save(temp.File("in.msgpack"), tree);

        Assert.Equal(0, Ckpt.Run("convert", temp.File("in.msgpack"), temp.File("mid.safetensors")).ExitCode);
        Ckpt.Result back = Ckpt.Run("convert", temp.File("mid.safetensors"), temp.File("back.msgpack"));

        Assert.True(back.ExitCode == 0, back.ToString());
        TreeLeaves.AssertSameLeaves(tree, Msgpack.Load(temp.File("back.msgpack")));
    }

    [Fact]
    public void Convert_Complex128ToSafetensors_Exit1NothingWrittenUnlessAllowLossy()
    {
        using var temp = new TempDirectory();
        Msgpack.Save(temp.File("in.msgpack"), new StateMap { { "z", NdArray.Zeros(DType.Complex128, new Shape(2)) }, { "w", NdArray.Zeros(DType.Float32, new Shape(2)) } });

        Ckpt.Result refused = Ckpt.Run("convert", temp.File("in.msgpack"), temp.File("out.safetensors"));
        bool writtenAfterRefusal = File.Exists(temp.File("out.safetensors"));
        Ckpt.Result lossy = Ckpt.Run("convert", temp.File("in.msgpack"), temp.File("out.safetensors"), "--allow-lossy");

        Assert.Equal(1, refused.ExitCode);
        Assert.False(writtenAfterRefusal);
        Assert.Matches(@"^cannot store\s+z\s+safetensors has no complex128 dtype \(C64 holds complex64 only\)$", refused.Lines.Single(l => l.Contains(" z ", StringComparison.Ordinal)));
        Assert.StartsWith("nothing written: 1 value cannot be represented in safetensors", refused.Lines[^1], StringComparison.Ordinal);
        Assert.True(lossy.ExitCode == 0, lossy.ToString());
        Assert.Matches(@"^dropped\s+z\s+safetensors has no complex128 dtype \(C64 holds complex64 only\)$", lossy.Lines.Single(l => l.Contains(" z ", StringComparison.Ordinal)));
        Assert.EndsWith(", 1 dropped", lossy.Lines[^1], StringComparison.Ordinal);
        Assert.Equal(["w"], SafetensorsRules.Check(temp.File("out.safetensors")).Tensors.Select(t => t.Name));
    }

    // Issue 13.6: this wrote nothing and failed with "unexpected FileNotFoundException".
    [Fact]
    public void Convert_EmptyMapToNpzAllowLossy_WritesTheRestAndListsTheDroppedMap()
    {
        using var temp = new TempDirectory();
        Msgpack.Save(temp.File("in.msgpack"), new StateMap { { "a", new StateMap { { "b", new StateMap() } } }, { "x", 1L } });

        Ckpt.Result result = Ckpt.Run("convert", temp.File("in.msgpack"), temp.File("out.npz"), "--allow-lossy");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Error);
        Assert.Matches(@"^dropped\s+a/b\s+an empty map \(npz holds arrays only\)$", result.Lines.Single(l => l.Contains(" a/b ", StringComparison.Ordinal)));
        Assert.EndsWith(", 1 dropped", result.Lines[^1], StringComparison.Ordinal);
        Assert.Equal(["x"], Npz.Load(temp.File("out.npz")).AsMap().Keys);
    }

    [Fact]
    public void Convert_DTypesVectorToNpzAndBack_KeepsNumpyDTypesAndReportsMlDTypes()
    {
        using var temp = new TempDirectory();
        string vector = Vectors.File("dtypes");

        Ckpt.Result toNpz = Ckpt.Run("convert", vector, temp.File("d.npz"));
        Ckpt.Result back = Ckpt.Run("convert", temp.File("d.npz"), temp.File("d.msgpack"));

        Assert.True(toNpz.ExitCode == 0, toNpz.ToString());
        Assert.True(back.ExitCode == 0, back.ToString());
        Dictionary<string, StateNode> original = TreeLeaves.Of(Msgpack.Load(vector));
        Dictionary<string, StateNode> roundTrip = TreeLeaves.Of(Msgpack.Load(temp.File("d.msgpack")));
        Assert.Equal(original.Keys.Order(StringComparer.Ordinal), roundTrip.Keys.Order(StringComparer.Ordinal));
        foreach ((string path, StateNode node) in original)
        {
            NdArray a = node.AsArray();
            NdArray b = roundTrip[path].AsArray();
            if (a.DType == DType.BFloat16 || a.DType == DType.Float8E4M3FN || a.DType == DType.Float8E5M2)
            {
                Assert.Matches($@"^changed\s+{path}\s+numpy has no {a.DType}: stored as float32 \(exactly\)$", toNpz.Lines.Single(l => l.Contains(" " + path + " ", StringComparison.Ordinal)));
                Assert.Equal(DType.Float32, b.DType);
                Assert.Equal(a.Shape, b.Shape);
                Assert.Equal(ToFloats(a), b.ToArray<float>());
            }
            else
            {
                Assert.True(a.Equals(b), path);
            }
        }
    }

    [Fact]
    public void Convert_ScalarsToNpz_ListsEveryChangeAndWhatCannotBeStored()
    {
        using var temp = new TempDirectory();

        Ckpt.Result result = Ckpt.Run("convert", Vectors.File("scalars"), temp.File("s.npz"));

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(temp.File("s.npz")));
        Assert.Matches(@"^cannot store\s+none\s+npz cannot hold None values without pickle$", result.Lines.Single(l => l.StartsWith("cannot store  none", StringComparison.Ordinal)));
        Assert.Matches(@"^changed\s+ints/u64_max\s+an int, stored as a 0-d uint64 array$", result.Lines.Single(l => l.Contains(" ints/u64_max ", StringComparison.Ordinal)));
        Assert.Matches(@"^changed\s+floats/pi\s+a float, stored as a 0-d float64 array$", result.Lines.Single(l => l.Contains(" floats/pi ", StringComparison.Ordinal)));
        Assert.DoesNotContain(result.Lines, l => l.Contains(" strings/ascii ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("numpy_savez.npz")]
    [InlineData("numpy_savez_compressed.npz")]
    public void Convert_NpzWrittenByNumpy_LoadsWithNumpysValues(string name)
    {
        using var temp = new TempDirectory();
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Vectors.Data("numpy_expected.json")));

        Ckpt.Result result = Ckpt.Run("convert", Vectors.Data(name), temp.File("out.msgpack"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Dictionary<string, StateNode> leaves = TreeLeaves.Of(Msgpack.Load(temp.File("out.msgpack")));
        Assert.Equal(expected.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal), leaves.Keys.Order(StringComparer.Ordinal));
        foreach (JsonProperty member in expected.RootElement.EnumerateObject())
        {
            StateNode node = leaves[member.Name];
            if (member.Value.TryGetProperty("str", out JsonElement text))
            {
                Assert.Equal(text.GetString(), (string?)node);
                continue;
            }

            NdArray array = node.AsArray();
            Assert.Equal(member.Value.GetProperty("dtype").GetString(), array.DType.Name);
            Assert.Equal(member.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), array.Shape.ToArray());
            Assert.Equal(member.Value.GetProperty("b64").GetBytesFromBase64(), array.GetBytes(0, (int)array.ByteLength).ToArray());
        }
    }

    [Fact]
    public void Inspect_NpzWrittenByNumpy_ShowsItsArrays()
    {
        Ckpt.Result result = Ckpt.Run("inspect", Vectors.Data("numpy_savez.npz"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal("npz", json.RootElement.GetProperty("format").GetString());
        JsonElement special = json.RootElement.GetProperty("leaves").EnumerateArray().Single(l => l.GetProperty("path").GetString() == "special");
        Assert.Equal(1, special.GetProperty("nan_count").GetInt32());
        Assert.Equal("-inf", special.GetProperty("min").GetString());
    }

    [Fact]
    public void Convert_ExistingOutput_Exit1UnlessForce()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("out.msgpack"), "keep me");

        Ckpt.Result refused = Ckpt.Run("convert", Vectors.File("seed_basic"), temp.File("out.msgpack"));
        string kept = File.ReadAllText(temp.File("out.msgpack"));
        Ckpt.Result forced = Ckpt.Run("convert", Vectors.File("seed_basic"), temp.File("out.msgpack"), "--force");

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"ckpt: {temp.File("out.msgpack")} exists; use --force to replace it", refused.Error.TrimEnd());
        Assert.Equal("keep me", kept);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(File.ReadAllBytes(Vectors.File("seed_basic")), File.ReadAllBytes(temp.File("out.msgpack")));
    }

    [Fact]
    public void Convert_ToOption_OverridesTheExtension()
    {
        using var temp = new TempDirectory();

        Ckpt.Result result = Ckpt.Run("convert", Vectors.File("seed_basic"), temp.File("weights.bin"), "--to", "safetensors");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["weights", "bias"], SafetensorsRules.Check(temp.File("weights.bin")).Tensors.Select(t => t.Name));
    }

    [Fact]
    public void Convert_UnknownTo_Exit2()
    {
        using var temp = new TempDirectory();

        Ckpt.Result result = Ckpt.Run("convert", Vectors.File("seed_basic"), temp.File("x"), "--to", "pickle");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("pickle", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated.safetensors")]
    [InlineData("garbage.npz")]
    public void Convert_BrokenInput_OneLineErrorExit1(string name)
    {
        using var temp = new TempDirectory();
        string good = temp.File("good" + Path.GetExtension(name));
        Assert.Equal(0, Ckpt.Run("convert", Vectors.File("seed_basic"), good, "--allow-lossy").ExitCode);
        byte[] bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(temp.File(name), bytes.AsSpan(0, bytes.Length / 2).ToArray());

        Ckpt.Result result = Ckpt.Run("convert", temp.File(name), temp.File("out.msgpack"));

        Assert.Equal(1, result.ExitCode);
        Ckpt.NoStackTrace(result);
        string line = Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.StartsWith($"ckpt: Invalid {Path.GetExtension(name)[1..]} file {temp.File(name)}: ", line, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("out.msgpack")));
    }

    private static float[] ToFloats(NdArray array) => array.DType == DType.BFloat16 ? array.ToArray<BFloat16>().Select(v => (float)v).ToArray()
        : array.DType == DType.Float8E4M3FN ? array.ToArray<Float8E4M3FN>().Select(v => (float)v).ToArray()
        : array.ToArray<Float8E5M2>().Select(v => (float)v).ToArray();
}
