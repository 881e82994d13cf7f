namespace BrainTools.Checkpoint;

/// <summary>
/// The common units of brainunit, with its short names (<c>u.ms</c> is <see cref="ms"/>) and the same dimension,
/// scale, base and factor, so that quantities save and compare exactly as brainunit's do.
/// </summary>
/// <remarks>
/// <para>Names follow brainunit and SI, where case matters: <see cref="ms"/> is a millisecond and
/// <see cref="mS"/> a millisiemens, <see cref="mohm"/> a milliohm and <see cref="Mohm"/> a megaohm.</para>
/// <para>A unit rebuilt from a file, or made by <c>*</c>, <c>/</c> or <c>Pow</c>, takes the name of the first
/// unit here of the same dimension, scale, base and factor (see <see cref="Find"/>).</para>
/// </remarks>
public static class Units
{
    private static readonly Dimension Time = new(second: 1);
    private static readonly Dimension Frequency = new(second: -1);
    private static readonly Dimension Voltage = new(metre: 2, kilogram: 1, second: -3, ampere: -1);
    private static readonly Dimension Current = new(ampere: 1);
    private static readonly Dimension Resistance = new(metre: 2, kilogram: 1, second: -3, ampere: -2);
    private static readonly Dimension Capacitance = new(metre: -2, kilogram: -1, second: 4, ampere: 2);
    private static readonly Dimension Conductance = new(metre: -2, kilogram: -1, second: 3, ampere: 2);
    private static readonly Dimension Length = new(metre: 1);
    private static readonly Dimension Mass = new(kilogram: 1);
    private static readonly Dimension Substance = new(mole: 1);
    private static readonly Dimension Concentration = new(metre: -3, mole: 1);

    /// <summary>The dimensionless unit 1 (brainunit's <c>UNITLESS</c>); displayed as <c>1</c>.</summary>
    public static Unit One { get; } = new(Dimension.Dimensionless, name: "1");

    /// <summary>Second.</summary>
    public static Unit s { get; } = new(Time, 0, name: "second", displayName: "s");

    /// <summary>Millisecond, 10^-3 s.</summary>
    public static Unit ms { get; } = new(Time, -3, name: "msecond", displayName: "ms");

    /// <summary>Microsecond, 10^-6 s.</summary>
    public static Unit us { get; } = new(Time, -6, name: "usecond", displayName: "us");

    /// <summary>Nanosecond, 10^-9 s.</summary>
    public static Unit ns { get; } = new(Time, -9, name: "nsecond", displayName: "ns");

    /// <summary>Minute: scale 1, factor 6 (60 s), as brainunit defines it.</summary>
    public static Unit minute { get; } = new(Time, 1, factor: 6.0, name: "minute", displayName: "min");

    /// <summary>Hour: scale 3, factor 3.6 (3600 s), as brainunit defines it.</summary>
    public static Unit hour { get; } = new(Time, 3, factor: 3.6, name: "hour", displayName: "h");

    /// <summary>Hertz, 1/s.</summary>
    public static Unit Hz { get; } = new(Frequency, 0, name: "hertz", displayName: "Hz");

    /// <summary>Kilohertz, 10^3 Hz.</summary>
    public static Unit kHz { get; } = new(Frequency, 3, name: "khertz", displayName: "kHz");

    /// <summary>Volt.</summary>
    public static Unit V { get; } = new(Voltage, 0, name: "volt", displayName: "V");

    /// <summary>Millivolt, 10^-3 V.</summary>
    public static Unit mV { get; } = new(Voltage, -3, name: "mvolt", displayName: "mV");

    /// <summary>Microvolt, 10^-6 V.</summary>
    public static Unit uV { get; } = new(Voltage, -6, name: "uvolt", displayName: "uV");

    /// <summary>Ampere.</summary>
    public static Unit A { get; } = new(Current, 0, name: "amp", displayName: "A");

    /// <summary>Milliampere, 10^-3 A.</summary>
    public static Unit mA { get; } = new(Current, -3, name: "mamp", displayName: "mA");

    /// <summary>Microampere, 10^-6 A.</summary>
    public static Unit uA { get; } = new(Current, -6, name: "uamp", displayName: "uA");

    /// <summary>Nanoampere, 10^-9 A.</summary>
    public static Unit nA { get; } = new(Current, -9, name: "namp", displayName: "nA");

    /// <summary>Picoampere, 10^-12 A.</summary>
    public static Unit pA { get; } = new(Current, -12, name: "pamp", displayName: "pA");

    /// <summary>Ohm.</summary>
    public static Unit ohm { get; } = new(Resistance, 0, name: "ohm", displayName: "ohm");

    /// <summary>Kiloohm, 10^3 ohm.</summary>
    public static Unit kohm { get; } = new(Resistance, 3, name: "kohm", displayName: "kohm");

    /// <summary>Megaohm, 10^6 ohm.</summary>
    public static Unit Mohm { get; } = new(Resistance, 6, name: "Mohm", displayName: "Mohm");

    /// <summary>Milliohm, 10^-3 ohm.</summary>
    public static Unit mohm { get; } = new(Resistance, -3, name: "mohm", displayName: "mohm");

    /// <summary>Farad.</summary>
    public static Unit F { get; } = new(Capacitance, 0, name: "farad", displayName: "F");

    /// <summary>Microfarad, 10^-6 F.</summary>
    public static Unit uF { get; } = new(Capacitance, -6, name: "ufarad", displayName: "uF");

    /// <summary>Nanofarad, 10^-9 F.</summary>
    public static Unit nF { get; } = new(Capacitance, -9, name: "nfarad", displayName: "nF");

    /// <summary>Picofarad, 10^-12 F.</summary>
    public static Unit pF { get; } = new(Capacitance, -12, name: "pfarad", displayName: "pF");

    /// <summary>Siemens.</summary>
    public static Unit S { get; } = new(Conductance, 0, name: "siemens", displayName: "S");

    /// <summary>Millisiemens, 10^-3 S.</summary>
    public static Unit mS { get; } = new(Conductance, -3, name: "msiemens", displayName: "mS");

    /// <summary>Microsiemens, 10^-6 S.</summary>
    public static Unit uS { get; } = new(Conductance, -6, name: "usiemens", displayName: "uS");

    /// <summary>Nanosiemens, 10^-9 S.</summary>
    public static Unit nS { get; } = new(Conductance, -9, name: "nsiemens", displayName: "nS");

    /// <summary>Metre.</summary>
    public static Unit m { get; } = new(Length, 0, name: "metre", displayName: "m");

    /// <summary>Centimetre, 10^-2 m.</summary>
    public static Unit cm { get; } = new(Length, -2, name: "cmetre", displayName: "cm");

    /// <summary>Millimetre, 10^-3 m.</summary>
    public static Unit mm { get; } = new(Length, -3, name: "mmetre", displayName: "mm");

    /// <summary>Micrometre, 10^-6 m.</summary>
    public static Unit um { get; } = new(Length, -6, name: "umetre", displayName: "um");

    /// <summary>Kilogram.</summary>
    public static Unit kg { get; } = new(Mass, 0, name: "kilogram", displayName: "kg");

    /// <summary>Gram, 10^-3 kg.</summary>
    public static Unit g { get; } = new(Mass, -3, name: "gram", displayName: "g");

    /// <summary>Mole.</summary>
    public static Unit mol { get; } = new(Substance, 0, name: "mole", displayName: "mol");

    /// <summary>Molar, mol/l: 10^3 mol/m^3.</summary>
    public static Unit M { get; } = new(Concentration, 3, name: "molar", displayName: "M");

    /// <summary>Millimolar, 10^-3 M (1 mol/m^3).</summary>
    public static Unit mM { get; } = new(Concentration, 0, name: "mmolar", displayName: "mM");

    /// <summary>Micromolar, 10^-6 M.</summary>
    public static Unit uM { get; } = new(Concentration, -3, name: "umolar", displayName: "uM");

    /// <summary>Kelvin.</summary>
    public static Unit K { get; } = new(new Dimension(kelvin: 1), 0, name: "kelvin", displayName: "K");

    /// <summary>Candela.</summary>
    public static Unit cd { get; } = new(new Dimension(candela: 1), 0, name: "candle", displayName: "cd");

    /// <summary>Every unit above, in the order <see cref="Find"/> searches them.</summary>
    public static IReadOnlyList<Unit> All { get; } =
    [
        One, s, ms, us, ns, minute, hour, Hz, kHz, V, mV, uV, A, mA, uA, nA, pA, ohm, kohm, Mohm, mohm,
        F, uF, nF, pF, S, mS, uS, nS, m, cm, mm, um, kg, g, mol, M, mM, uM, K, cd,
    ];

    // Keyed by unit equality (dimension, scale, base, factor); the first unit of a key wins.
    private static readonly Dictionary<Unit, Unit> ByValue = BuildIndex();

    /// <summary>The unit of <see cref="All"/> with this dimension, scale, base and factor, or null.</summary>
    public static Unit? Find(Dimension dimension, int scale, double @base = 10.0, double factor = 1.0)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        if (!double.IsFinite(@base) || @base <= 0 || !double.IsFinite(factor) || factor <= 0)
        {
            return null;
        }

        return ByValue.GetValueOrDefault(new Unit(dimension, scale, @base, factor));
    }

    private static Dictionary<Unit, Unit> BuildIndex()
    {
        var index = new Dictionary<Unit, Unit>();
        foreach (Unit unit in All)
        {
            index.TryAdd(unit, unit);
        }

        return index;
    }
}
