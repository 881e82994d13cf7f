namespace BrainTools.Checkpoint.Format;

/// <summary>The limits of one walk, from <see cref="MsgpackOptions"/>, and what the walk has used of them.</summary>
internal struct WireLimits
{
    private readonly long _maxNodes;
    private readonly long _maxKeyBytes;
    private long _nodes;
    private long _keyBytes;

    public WireLimits(MsgpackOptions options)
    {
        MaxDepth = options.MaxDepth;
        _maxNodes = options.MaxNodes ?? long.MaxValue;
        _maxKeyBytes = options.MaxKeyBytes ?? long.MaxValue;
    }

    /// <summary>The deepest nesting of maps allowed.</summary>
    public readonly int MaxDepth { get; }

    /// <summary>Counts one value; returns what is wrong when that is one too many, else null.</summary>
    public string? AddNode() =>
        ++_nodes > _maxNodes ? $"the data holds more than {_maxNodes} values (maps and leaves; MsgpackOptions.MaxNodes)" : null;

    /// <summary>Counts the UTF-8 bytes of one key; returns what is wrong when the keys hold too many, else null.</summary>
    public string? AddKeyBytes(long bytes)
    {
        _keyBytes += bytes;
        return _keyBytes > _maxKeyBytes ? $"the map keys hold more than {_maxKeyBytes} bytes in all (MsgpackOptions.MaxKeyBytes)" : null;
    }
}
