using System.Text;

namespace BrainTools.Checkpoint;

public sealed partial class NdArray
{
    private const int SummaryThreshold = 1000;
    private const int EdgeItems = 3;

    /// <summary>
    /// numpy's repr: <c>array([[1.0, 2.0], [3.0, 4.0]], dtype=float32)</c>; arrays of more than 1000 elements
    /// show three items at each edge with <c>...</c> between, as numpy does.
    /// </summary>
    public override string ToString()
    {
        var builder = new StringBuilder("array(");
        if (Length == 0)
        {
            builder.Append(Rank <= 1 ? "[]" : $"[], shape={Shape}");
        }
        else if (Rank == 0)
        {
            builder.Append(ElementFormat.ToPython(DType, GetBytes(0, DType.ItemSize)));
        }
        else
        {
            AppendLevel(builder, 0, 0, Length > SummaryThreshold);
        }

        builder.Append(", dtype=").Append(DType.Name).Append(')');
        return builder.ToString();
    }

    private void AppendLevel(StringBuilder builder, int axis, long flatStart, bool summarize)
    {
        long count = Shape[axis];
        long stride = 1;
        for (int i = axis + 1; i < Rank; i++)
        {
            stride *= Shape[i];
        }

        builder.Append('[');
        for (long i = 0; i < count; i++)
        {
            if (summarize && count > 2 * EdgeItems && i == EdgeItems)
            {
                builder.Append("..., ");
                i = count - EdgeItems - 1;
                continue;
            }

            if (axis == Rank - 1)
            {
                builder.Append(ElementFormat.ToPython(DType, GetBytes((flatStart + i) * DType.ItemSize, DType.ItemSize)));
            }
            else
            {
                AppendLevel(builder, axis + 1, flatStart + (i * stride), summarize);
            }

            if (i < count - 1)
            {
                builder.Append(", ");
            }
        }

        builder.Append(']');
    }
}
