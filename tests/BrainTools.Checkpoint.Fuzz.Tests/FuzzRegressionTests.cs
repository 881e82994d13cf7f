namespace BrainTools.Checkpoint.Fuzz.Tests;

/// <summary>
/// Every input AFL ever crashed on (fuzz/regressions/TARGET, each a fixed bug) and every seed (fuzz/corpus/TARGET)
/// runs through the same target code the fuzzer runs: each must be accepted or refused with the target's typed
/// errors. A target's exception escaping here is the crash AFL saw.
/// </summary>
public sealed class FuzzRegressionTests : IDisposable
{
    public static TheoryData<string, string> Inputs
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string folder in (string[])["regressions", "corpus"])
            {
                foreach (FuzzTarget target in FuzzTargets.All)
                {
                    string directory = Path.Combine(AppContext.BaseDirectory, folder, target.Name);
                    foreach (string file in (Directory.Exists(directory) ? Directory.GetFiles(directory) : []).Order(StringComparer.Ordinal))
                    {
                        data.Add(target.Name, Path.GetRelativePath(AppContext.BaseDirectory, file));
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Run_CrashOrSeedInput_GivesOnlyTypedErrors(string target, string input)
    {
        FuzzTarget fuzzTarget = FuzzTargets.Find(target) ?? throw new InvalidOperationException($"no target {target}");

        fuzzTarget.Run(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, input)));
    }

    [Fact]
    public void Inputs_EveryTarget_HasSeeds()
    {
        foreach (FuzzTarget target in FuzzTargets.All)
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "corpus", target.Name)));
        }
    }

    public void Dispose() => ScratchFile.DeleteAll();
}
