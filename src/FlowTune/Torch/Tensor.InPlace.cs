namespace FlowTune.Torch;

/// <summary>In-place updates (names end in an underscore, as in libtorch). Each returns this tensor.</summary>
public sealed partial class Tensor
{
    /// <summary>this += alpha * other.</summary>
    public Tensor Add_(Tensor other, double alpha = 1)
    {
        Ops.AddInPlace.CallInPlace(this, other, alpha);
        return this;
    }

    /// <summary>this *= other.</summary>
    public Tensor Mul_(Tensor other)
    {
        Ops.MulInPlace.CallInPlace(this, other);
        return this;
    }

    /// <summary>this *= scalar.</summary>
    public Tensor Mul_(double other)
    {
        Ops.MulScalarInPlace.CallInPlace(this, other);
        return this;
    }

    /// <summary>this /= scalar.</summary>
    public Tensor Div_(double other)
    {
        Ops.DivScalarInPlace.CallInPlace(this, other);
        return this;
    }

    /// <summary>this += value * t1 * t2.</summary>
    public Tensor Addcmul_(Tensor t1, Tensor t2, double value = 1)
    {
        Ops.AddcmulInPlace.CallInPlace(this, t1, t2, value);
        return this;
    }

    /// <summary>this += value * t1 / t2.</summary>
    public Tensor Addcdiv_(Tensor t1, Tensor t2, double value = 1)
    {
        Ops.AddcdivInPlace.CallInPlace(this, t1, t2, value);
        return this;
    }

    /// <summary>this += weight * (end - this).</summary>
    public Tensor Lerp_(Tensor end, double weight)
    {
        Ops.LerpInPlace.CallInPlace(this, end, weight);
        return this;
    }

    /// <summary>Copies <paramref name="source"/> into this tensor (broadcasting, casting).</summary>
    public Tensor Copy_(Tensor source)
    {
        Ops.CopyInPlace.CallInPlace(this, source);
        return this;
    }

    /// <summary>Fills with a value.</summary>
    public Tensor Fill_(double value)
    {
        Ops.FillInPlace.CallInPlace(this, value);
        return this;
    }

    /// <summary>Fills with zeros.</summary>
    public Tensor Zero_()
    {
        Ops.ZeroInPlace.CallInPlace(this);
        return this;
    }

    /// <summary>Clamps into [min, max] in place.</summary>
    public Tensor Clamp_(double? min = null, double? max = null)
    {
        Ops.ClampInPlace.CallInPlace(this, Arg.Of(min), Arg.Of(max));
        return this;
    }

    /// <summary>Fills with N(mean, std²) samples from <paramref name="generator"/>.</summary>
    public Tensor Normal_(Generator generator, double mean = 0, double std = 1)
    {
        Ops.NormalInPlace.CallInPlace(this, mean, std, generator);
        return this;
    }

    /// <summary>Fills with U(from, to) samples from <paramref name="generator"/>.</summary>
    public Tensor Uniform_(Generator generator, double from = 0, double to = 1)
    {
        Ops.UniformInPlace.CallInPlace(this, from, to, generator);
        return this;
    }
}
