namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Restores a raw map template that a higher layer recognises as one of its types (a quantity's
/// <c>{mantissa, scale, base, dim, factor}</c>) with that type's rules; returns null when the maps are not of it,
/// and the map is then restored as a dict.
/// </summary>
internal delegate StateNode? RawMapRestore(StateMap template, StateMap state, CheckpointRestoreContext context);
