using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// How a record or plain class is saved: its public instance fields and properties (auto-properties, or ones
/// with a setter or a constructor parameter of the same name; computed get-only properties are not data), keyed
/// by snake_case name as Python attributes are, in declaration order (base class first). Cached per type.
/// </summary>
internal sealed class ObjectShape
{
    private static readonly ConcurrentDictionary<Type, ObjectShape> Cache = new();

    private ObjectShape(Type type)
    {
        Type = type;
        Members = FindMembers(type);
        CloneMethod = type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        Constructors = type.GetConstructors();
    }

    public Type Type { get; }

    public IReadOnlyList<ObjectMember> Members { get; }

    /// <summary>The copy method of a record class (what <c>with</c> calls); null for other types.</summary>
    public MethodInfo? CloneMethod { get; }

    public ConstructorInfo[] Constructors { get; }

    public static ObjectShape For(Type type) => Cache.GetOrAdd(type, static t => new ObjectShape(t));

    /// <summary>Whether a type may be saved member by member: not a system type (a <c>Task</c>, a <c>Type</c>), a delegate or a pointer.</summary>
    public static bool CanDescribe(Type type) =>
        type.Namespace is not "System" && !(type.Namespace?.StartsWith("System.", StringComparison.Ordinal) ?? false)
        && !typeof(Delegate).IsAssignableFrom(type)
        && !type.IsPointer
        && !type.IsPrimitive;

    /// <summary>Whether <paramref name="type"/> is a C# record (class or struct): saved as a map even without members, as a field-less namedtuple is.</summary>
    public static bool IsRecord(Type type) =>
        type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(System.Text.StringBuilder)]) is { } print
        && print.IsDefined(typeof(CompilerGeneratedAttribute));

    /// <summary>A member name in snake_case, as <see cref="JsonNamingPolicy.SnakeCaseLower"/> writes it (<c>RunningMean</c> is <c>running_mean</c>).</summary>
    public static string KeyOf(MemberInfo member) =>
        member.GetCustomAttribute<CheckpointNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(member.Name);

    private static ObjectMember[] FindMembers(Type type)
    {
        var hierarchy = new List<Type>();
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            hierarchy.Insert(0, t);
        }

        HashSet<string> constructorNames = type.GetConstructors()
            .SelectMany(c => c.GetParameters())
            .Select(p => p.Name ?? string.Empty)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var found = new List<(int Depth, int Order, ObjectMember Member)>();
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        for (int depth = 0; depth < hierarchy.Count; depth++)
        {
            Type level = hierarchy[depth];
            foreach (FieldInfo field in level.GetFields(Declared))
            {
                if (!Ignored(field))
                {
                    found.Add((depth, field.MetadataToken, new ObjectMember(field, KeyOf(field))));
                }
            }

            foreach (PropertyInfo property in level.GetProperties(Declared))
            {
                if (Ignored(property) || property.GetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                // An auto-property sorts by its backing field, so fields and properties keep the order they are written in.
                FieldInfo? backing = level.GetField($"<{property.Name}>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly);
                bool isData = backing is not null || property.SetMethod is { IsPublic: true } || constructorNames.Contains(property.Name);
                if (isData)
                {
                    int order = backing?.MetadataToken ?? (1 << 30) + (property.MetadataToken & 0xFFFFFF);
                    found.Add((depth, order, new ObjectMember(property, KeyOf(property))));
                }
            }
        }

        ObjectMember[] members = found.OrderBy(m => m.Depth).ThenBy(m => m.Order).Select(m => m.Member).ToArray();
        string? duplicate = members.GroupBy(m => m.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        return duplicate is null
            ? members
            : throw new CheckpointException($"Two members of {type} have the checkpoint key '{duplicate}'; rename one with [CheckpointName].");
    }

    private static bool Ignored(MemberInfo member) =>
        member.IsDefined(typeof(CheckpointIgnoreAttribute)) || member.IsDefined(typeof(CompilerGeneratedAttribute));
}
