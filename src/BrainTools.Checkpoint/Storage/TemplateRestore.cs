using System.Collections;

namespace BrainTools.Checkpoint.Storage;

/// <summary>
/// A small restore of a raw state dict into a template of dictionaries, lists and numeric arrays, for
/// <see cref="CheckpointManager.Restore{T}(T, long?)"/> until the library's general restore-into-template replaces it.
/// </summary>
internal static class TemplateRestore
{
    /// <summary>Fills <paramref name="template"/> from <paramref name="state"/>.</summary>
    /// <exception cref="CheckpointException">The state does not fit the template.</exception>
    public static void Into(object template, StateNode state, string file) => Fill(template, state, ".", file);

    private static void Fill(object template, StateNode state, string path, string file)
    {
        switch (template)
        {
            case IDictionary dictionary:
                foreach (object key in dictionary.Keys.Cast<object>().ToList())
                {
                    string name = Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                    StateNode child = Child(state, name, path, file);
                    dictionary[key] = Value(dictionary[key], child, Join(path, name), file);
                }

                break;
            case IList list when template is not Array:
                for (int i = 0; i < list.Count; i++)
                {
                    string name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    list[i] = Value(list[i], Child(state, name, path, file), Join(path, name), file);
                }

                break;
            default:
                _ = Value(template, state, path, file);
                break;
        }
    }

    private static object? Value(object? current, StateNode state, string path, string file)
    {
        switch (current)
        {
            case Array array when DType.TryFromClrType(array.GetType().GetElementType()!, out _):
                NdArray target = NdArray.FromArray(array);
                NdArray source = state.AsArray();
                if (source.Shape != target.Shape)
                {
                    throw new CheckpointException($"Array shape mismatch: expected {target.Shape}, got {source.Shape} at path {path}", file, path);
                }

                source.CopyTo(target.AsSpan<byte>());
                return array;
            case IDictionary or IList when current is not Array:
                Fill(current, state, path, file);
                return current;
            case StateNode:
                return state;
            default:
                return state is StateValue leaf ? leaf.Value : state;
        }
    }

    private static StateNode Child(StateNode state, string key, string path, string file) =>
        state is StateMap map && map.TryGetValue(key, out StateNode? child)
            ? child
            : throw new CheckpointException($"The target dict keys and state dict keys do not match, target dict contains keys {{'{key}'}} which are not present in state dict at path {path}", file, path);

    private static string Join(string path, string key) => path == "." ? "./" + key : path + "/" + key;
}
