using System.Globalization;
using System.Numerics;

namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A leaf type: numbers of every width, bool, string, bytes, char, decimal, enums, the element types of arrays
/// (saved as numpy scalars), complex numbers, numpy scalars and unknown extension values. Saved as the leaf the
/// wire has for it; restored through <see cref="ScalarConversion"/> (range-checked, a float never into an integer).
/// </summary>
internal sealed class ScalarConverter(Type type) : StateDictConverter
{
    public static bool Supports(Type type) => ScalarConversion.IsScalar(type);

    public override StateNode Save(object value, SaveContext context) => value switch
    {
        bool or string or byte[] or NdArray or NumpyScalar or ExtensionValue or Complex => new StateValue(value),
        long or int or short or sbyte or byte or ushort or uint or ulong or double or float => new StateValue(value),
        Half h => new StateValue(NumpyScalar.Create(h)),
        BFloat16 b => new StateValue(NumpyScalar.Create(b)),
        Float8E4M3FN f => new StateValue(NumpyScalar.Create(f)),
        Float8E5M2 f => new StateValue(NumpyScalar.Create(f)),
        Complex64 c => new StateValue(NumpyScalar.Create(c)),
        char c => new StateValue(c.ToString()),
        decimal d => new StateValue((double)d),
        nint n => new StateValue((long)n),
        nuint n => new StateValue((ulong)n),
        Int128 n => Integer((BigInteger)n, context),
        UInt128 n => Integer((BigInteger)n, context),
        BigInteger n => Integer(n, context),
        Enum e => Integer(Enum.GetUnderlyingType(type) == typeof(ulong) ? (BigInteger)Convert.ToUInt64(e, CultureInfo.InvariantCulture) : Convert.ToInt64(e, CultureInfo.InvariantCulture), context),
        ReadOnlyMemory<byte> memory => new StateValue(memory.ToArray()),
        _ => throw new CheckpointException($"Cannot save a {TypeNames.Of(type)} at path {context.Path}.", null, context.Path.ToString()),
    };

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context)
    {
        if (!ScalarConversion.TryConvert(state, type, out object? scalar))
        {
            return context.TypeMismatch(target, state, TypeNames.Of(type));
        }

        if (context.IsDryRun)
        {
            if (target is NumpyScalar expected && scalar is NumpyScalar actual && expected.DType != actual.DType)
            {
                context.Difference(new CheckpointDifference(context.Path.ToString(), CheckpointDifferenceKind.DType, expected.DType.Name, actual.DType.Name));
            }

            return target;
        }

        return scalar;
    }

    public override object? RestoreWithoutTarget(StateNode state, Type declared, CheckpointRestoreContext context) =>
        ScalarConversion.TryConvert(state, declared, out object? scalar)
            ? scalar
            : context.TypeMismatch(null, state, TypeNames.Of(declared));

    // msgpack's ints are 64 bits: Python ints beyond them cannot be written by braintools either.
    private static StateValue Integer(BigInteger value, SaveContext context) =>
        value >= long.MinValue && value <= long.MaxValue ? new StateValue((long)value)
        : value >= 0 && value <= ulong.MaxValue ? new StateValue((ulong)value)
        : throw new CheckpointException($"Cannot save the integer {value} at path {context.Path}: msgpack integers have 64 bits.", null, context.Path.ToString());
}
