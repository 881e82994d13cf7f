namespace BrainTools.Checkpoint.Tests.Serialization;

/// <summary>A restore's state travels in its context, not on the thread: handlers see their own path after an await, with restores running at once.</summary>
public class RestoreContextTests
{
    public sealed class AsyncLayer
    {
        public NdArray Weights { get; set; } = NdArray.Zeros(DType.Float32, new Shape(2, 2));
    }

    public sealed class LegacyLayer
    {
        public NdArray Weights { get; set; } = NdArray.Zeros(DType.Float32, new Shape(2, 2));
    }

    private static Dictionary<string, object?> ToDict(NdArray weights) => new() { ["weights"] = weights };

    // Yields to another thread before restoring its part: a thread-bound restore state would be gone (or another restore's).
    private static async Task<AsyncLayer> RestoreAfterYield(AsyncLayer layer, StateNode state, CheckpointRestoreContext context, Barrier both)
    {
        both.SignalAndWait(TimeSpan.FromSeconds(10));
        await Task.Yield();
        layer.Weights = Msgpack.FromStateDict(layer.Weights, state, "weights", context);
        return layer;
    }

    private static LegacyLayer LegacyFromStateDict(LegacyLayer layer, StateNode state, Mismatch mismatch)
    {
        Task<NdArray> part = Task.Run(async () =>
        {
            await Task.Yield();
            return Msgpack.FromStateDict(layer.Weights, state, "weights", mismatch);
        });
        layer.Weights = part.GetAwaiter().GetResult();
        return layer;
    }

    [Fact]
    public async Task FromStateDict_HandlerAwaitsWithTwoRestoresAtOnce_EachNestedCallHasItsOwnPath()
    {
        using var both = new Barrier(2);
        using IDisposable registration = Msgpack.RegisterSerializationScoped<AsyncLayer>(
            layer => ToDict(layer.Weights),
            (layer, state, context) => RestoreAfterYield(layer, state, context, both).GetAwaiter().GetResult());
        StateNode wrong = Msgpack.ToStateDict(new AsyncLayer { Weights = NdArray.Zeros(DType.Float32, new Shape(3, 2)) });

        Task<Exception?> first = Task.Run<Exception?>(() => Record.Exception(() => Msgpack.FromStateDict(new Dictionary<string, object> { ["encoder"] = new AsyncLayer() }, new StateMap { { "encoder", wrong } })));
        Task<Exception?> second = Task.Run<Exception?>(() => Record.Exception(() => Msgpack.FromStateDict(new Dictionary<string, object> { ["decoder"] = new Dictionary<string, object> { ["out"] = new AsyncLayer() } }, new StateMap { { "decoder", new StateMap { { "out", wrong.Clone() } } } })));
        Exception?[] errors = await Task.WhenAll(first, second);

        Assert.Equal("Array shape mismatch: expected (2, 2), got (3, 2) at path ./encoder/weights", Assert.IsType<CheckpointMismatchException>(errors[0]).Message);
        Assert.Equal("Array shape mismatch: expected (2, 2), got (3, 2) at path ./decoder/out/weights", Assert.IsType<CheckpointMismatchException>(errors[1]).Message);
    }

    [Fact]
    public async Task FromStateDict_OldSignatureHandlerAcrossAwait_JoinsItsRestore()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<LegacyLayer>(layer => ToDict(layer.Weights), LegacyFromStateDict);
        StateNode wrong = Msgpack.ToStateDict(new LegacyLayer { Weights = NdArray.Zeros(DType.Float32, new Shape(3, 2)) });
        var log = new WarningLog();

        Task<Exception?> first = Task.Run<Exception?>(() => Record.Exception(() => Msgpack.FromStateDict(new Dictionary<string, object> { ["a"] = new LegacyLayer() }, new StateMap { { "a", wrong } })));
        Task<Exception?> second = Task.Run<Exception?>(() => Record.Exception(() => Msgpack.FromStateDict(new Dictionary<string, object> { ["b"] = new LegacyLayer() }, new StateMap { { "b", wrong.Clone() } }, Mismatch.Warn, log.Options)));
        Exception?[] errors = await Task.WhenAll(first, second);

        Assert.Equal("./a/weights", Assert.IsType<CheckpointMismatchException>(errors[0]).TreePath);
        Assert.Null(errors[1]);
        Assert.Equal(["Array shape mismatch: expected (2, 2), got (3, 2) at path ./b/weights"], log.Messages);
    }

    [Fact]
    public void ReportMismatch_ContextHandler_NamesItsPlaceAndPolicy()
    {
        var seen = new List<(string Path, Mismatch Policy, bool DryRun)>();
        using IDisposable registration = Msgpack.RegisterSerializationScoped<AsyncLayer>(
            layer => ToDict(layer.Weights),
            (layer, state, context) =>
            {
                seen.Add((context.Path.ToString(), context.Mismatch, context.IsDryRun));
                context.ReportMismatch("Layer mismatch");
                return layer;
            });
        var target = new Dictionary<string, object> { ["l"] = new AsyncLayer() };
        StateNode state = Msgpack.ToStateDict(target);
        var log = new WarningLog();

        Msgpack.FromStateDict(target, state, Mismatch.Warn, log.Options);
        CheckpointDifference difference = Assert.Single(Msgpack.Reconcile(target, state));

        Assert.Equal(["Layer mismatch at path ./l"], log.Messages);
        Assert.Equal(new CheckpointDifference("./l", CheckpointDifferenceKind.Other, "Layer mismatch", ""), difference);
        Assert.Equal([("./l", Mismatch.Warn, false), ("./l", Mismatch.Error, true)], seen);
    }

    [Fact]
    public void Reconcile_ModuleTemplate_LeavesItsStatesUntouched()
    {
        var model = new ConverterAgreementTests.Counter();
        model.Weight.Value = [1, 2, 3];
        float[] before = model.Weight.Value;
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["weight"] = new float[] { 9, 9, 9 }, ["steps"] = 5L });

        Assert.Empty(Msgpack.Reconcile(model, state));

        Assert.Same(before, model.Weight.Value);
        Assert.Equal([1f, 2f, 3f], model.Weight.Value);
        Assert.Equal(0, model.Steps.Value);
    }
}
