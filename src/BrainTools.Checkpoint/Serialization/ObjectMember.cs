using System.Reflection;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>A public property or field of a record or class as a checkpoint sees it: its key and how to read and write it.</summary>
internal sealed class ObjectMember
{
    public ObjectMember(MemberInfo member, string key)
    {
        Member = member;
        Key = key;
        switch (member)
        {
            case PropertyInfo property:
                Type = property.PropertyType;
                Get = property.GetValue;
                Set = property.SetMethod is { IsPublic: true } ? property.SetValue : null;
                break;
            case FieldInfo field:
                Type = field.FieldType;
                Get = field.GetValue;
                Set = field.IsInitOnly ? null : field.SetValue;
                break;
            default:
                throw new ArgumentException(member.ToString(), nameof(member));
        }
    }

    /// <summary>The .NET member.</summary>
    public MemberInfo Member { get; }

    /// <summary>The key in the checkpoint: the snake_case name, or the one <see cref="CheckpointNameAttribute"/> gives.</summary>
    public string Key { get; }

    /// <summary>The member's declared type.</summary>
    public Type Type { get; }

    /// <summary>Reads the member.</summary>
    public Func<object?, object?> Get { get; }

    /// <summary>Writes the member (public setter, <c>init</c> accessor or writable field); null when it cannot be written.</summary>
    public Action<object?, object?>? Set { get; }
}
