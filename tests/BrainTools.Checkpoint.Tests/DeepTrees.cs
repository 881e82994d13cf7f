namespace BrainTools.Checkpoint.Tests;

/// <summary>Trees deeper than a thread's stack can follow, and a thread with a small stack to run on.</summary>
internal static class DeepTrees
{
    /// <summary><c>{"a": {"a": ... {}}}</c>: <paramref name="maps"/> maps, each the only value of the one above.</summary>
    public static StateMap Chain(int maps)
    {
        var root = new StateMap();
        StateMap current = root;
        for (int i = 1; i < maps; i++)
        {
            var child = new StateMap();
            current.Add("a", child);
            current = child;
        }

        return root;
    }

    /// <summary>Runs <paramref name="action"/> on a new thread with a stack of <paramref name="stackSize"/> bytes; returns its result or what it threw.</summary>
    public static (T? Result, Exception? Caught) OnThread<T>(int stackSize, Func<T> action)
    {
        T? result = default;
        Exception? caught = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = action();
                }
                catch (Exception e)
                {
                    caught = e;
                }
            },
            stackSize);
        thread.Start();
        thread.Join();
        return (result, caught);
    }
}
