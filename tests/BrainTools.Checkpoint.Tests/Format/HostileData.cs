namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>The damaged checkpoints checked in under <c>Data/hostile</c> (written by its <c>make_hostile.py</c>).</summary>
internal static class HostileData
{
    public const string ZeroSizeHugeDimension = "zero_size_dimension_2_pow_31.msgpack";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Data", "hostile");
}
