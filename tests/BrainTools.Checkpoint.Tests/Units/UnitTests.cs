namespace BrainTools.Checkpoint.Tests.Quantities;

public class UnitTests
{
    private static readonly Dimension Time = new(second: 1);

    public static TheoryData<Unit, string> NamedUnits() => new()
    {
        { Units.ms, "ms" },
        { Units.mV, "mV" },
        { Units.pF, "pF" },
        { Units.mohm, "mohm" },
        { Units.Mohm, "Mohm" },
        { Units.uS, "uS" },
        { Units.kHz, "kHz" },
        { Units.minute, "min" },
        { Units.One, "1" },
    };

    [Theory]
    [MemberData(nameof(NamedUnits))]
    public void ToString_NamedUnit_ShowsDisplayName(Unit unit, string expected)
    {
        Assert.Equal(expected, unit.ToString());
    }

    [Fact]
    public void ToString_UnnamedUnits_ShowBrainunitParts()
    {
        Assert.Equal("10.0^-3 * s", new Unit(Time, -3).ToString());
        Assert.Equal("s", new Unit(Time).ToString());
        Assert.Equal("m^2 kg s^-3 A^-1", new Unit(new Dimension(metre: 2, kilogram: 1, second: -3, ampere: -1)).ToString());
        Assert.Equal("Unit(10.0^-3)", new Unit(Dimension.Dimensionless, -3).ToString());
        Assert.Equal("6.0 * 10.0^1 * s", new Unit(Time, 1, factor: 6).ToString());
        Assert.Equal("2.5 * s", new Unit(Time, 0, factor: 2.5).ToString());
    }

    [Fact]
    public void WithoutName_StandardUnit_DisplaysAsBrainunitRebuildsIt()
    {
        Assert.Equal("10.0^-3 * s", Units.ms.WithoutName().ToString());
        Assert.Equal(Units.ms, Units.ms.WithoutName());
    }

    [Fact]
    public void Equals_SameDimScaleBaseFactor_EqualWhateverTheName()
    {
        var unnamed = new Unit(Time, -3);
        var renamed = new Unit(Time, -3, name: "millis", displayName: "msec");

        Assert.Equal(Units.ms, unnamed);
        Assert.Equal(Units.ms, renamed);
        Assert.True(Units.ms == unnamed);
        Assert.Equal(Units.ms.GetHashCode(), unnamed.GetHashCode());
    }

    [Fact]
    public void Equals_DifferentScaleFactorOrDimension_NotEqual()
    {
        Assert.NotEqual(Units.s, Units.ms);
        Assert.NotEqual(new Unit(Time, 1, factor: 6), new Unit(Time, 1));
        Assert.NotEqual(new Unit(Time, 0, @base: 2), Units.s);
        Assert.True(Units.Hz != new Unit(Dimension.Dimensionless));
        Assert.False(Units.ms.Equals(null));
    }

    [Fact]
    public void Magnitude_PrefixedAndFactorUnits_IsSizeInSiUnits()
    {
        Assert.Equal(1e-3, Units.ms.Magnitude, 15);
        Assert.Equal(60, Units.minute.Magnitude, 12);
        Assert.Equal(3600, Units.hour.Magnitude, 9);
        Assert.Equal(1e-12, Units.pF.Magnitude, 1e-27);
    }

    [Fact]
    public void Multiply_ToStandardUnit_TakesItsName()
    {
        Unit product = Units.mV * Units.mS;

        Assert.Same(Units.uA, product);
        Assert.Equal("uA", product.ToString());
        Assert.Same(Units.A, Units.V / Units.ohm);
        Assert.Same(Units.Hz, Units.s.Inverse());
        Assert.Same(Units.kHz, Units.ms.Inverse());
    }

    [Fact]
    public void Multiply_NonStandardNamedUnits_ComposesName()
    {
        Unit product = Units.mV * Units.ms;
        Unit quotient = Units.mV / Units.ms;
        Unit nested = product / Units.mm;

        Assert.Equal("mV * ms", product.ToString());
        Assert.Equal(new Dimension(metre: 2, kilogram: 1, second: -2, ampere: -1), product.Dimension);
        Assert.Equal(-6, product.Scale);
        Assert.Equal("mV/ms", quotient.ToString());
        Assert.Equal(0, quotient.Scale);
        Assert.Equal("(mV * ms)/mm", nested.ToString());
        Assert.Same(Units.uV, product / Units.s);
        Assert.Equal("um^2", Units.um.Pow(2).ToString());
        Assert.Equal(-12, Units.um.Pow(2).Scale);
    }

    [Fact]
    public void Divide_SameDimension_IsDimensionless()
    {
        Assert.Equal("Unit(10.0^-3)", (Units.ms / Units.s).ToString());
        Assert.True((Units.ms / Units.ms).IsUnitless);
    }

    [Fact]
    public void Multiply_DifferentBases_Throws()
    {
        var binary = new Unit(Time, 3, @base: 2);

        Assert.Throws<ArgumentException>(() => binary * Units.s);
    }

    [Fact]
    public void Constructor_NonPositiveBaseOrFactor_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Unit(Time, 0, @base: 0));
        Assert.Throws<ArgumentException>(() => new Unit(Time, 0, factor: double.NaN));
    }

    [Fact]
    public void Find_EveryStandardUnit_FindsItself()
    {
        foreach (Unit unit in Units.All)
        {
            Assert.Same(unit, Units.Find(unit.Dimension, unit.Scale, unit.Base, unit.Factor));
        }
    }

    [Fact]
    public void Find_UnknownUnit_ReturnsNull()
    {
        Assert.Null(Units.Find(Time, -4));
        Assert.Null(Units.Find(Time, 0, factor: 2));
    }

    [Fact]
    public void Units_CommonUnits_HaveBrainunitDefinitions()
    {
        Assert.Equal(new Unit(new Dimension(metre: 2, kilogram: 1, second: -3, ampere: -2), -3), Units.mohm);
        Assert.Equal(new Unit(new Dimension(metre: -2, kilogram: -1, second: 4, ampere: 2), -12), Units.pF);
        Assert.Equal(new Unit(new Dimension(metre: -2, kilogram: -1, second: 3, ampere: 2), -9), Units.nS);
        Assert.Equal(new Unit(new Dimension(metre: -3, mole: 1), 0), Units.mM);
        Assert.Equal(new Unit(new Dimension(kilogram: 1), -3), Units.g);
        Assert.Equal(new Unit(Time, 1, factor: 6.0), Units.minute);
        Assert.Equal("msecond", Units.ms.Name);
    }
}
