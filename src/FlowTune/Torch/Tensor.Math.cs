namespace FlowTune.Torch;

public sealed partial class Tensor
{
    /// <summary>this + other (broadcasting).</summary>
    public Tensor Add(Tensor other) => Ops.Add.Call(this, other);

    /// <summary>this + alpha * other.</summary>
    public Tensor Add(Tensor other, double alpha) => Ops.Add.Call(this, other, alpha);

    /// <summary>this + scalar.</summary>
    public Tensor Add(double other) => Ops.AddScalar.Call(this, other);

    /// <summary>this - other.</summary>
    public Tensor Sub(Tensor other) => Ops.Sub.Call(this, other);

    /// <summary>this - scalar.</summary>
    public Tensor Sub(double other) => Ops.SubScalar.Call(this, other);

    /// <summary>this * other.</summary>
    public Tensor Mul(Tensor other) => Ops.Mul.Call(this, other);

    /// <summary>this * scalar.</summary>
    public Tensor Mul(double other) => Ops.MulScalar.Call(this, other);

    /// <summary>this / other.</summary>
    public Tensor Div(Tensor other) => Ops.Div.Call(this, other);

    /// <summary>this / scalar.</summary>
    public Tensor Div(double other) => Ops.DivScalar.Call(this, other);

    /// <summary>scalar - this.</summary>
    public Tensor RSub(double other) => Ops.RSubScalar.Call(this, other);

    /// <summary>this ^ exponent.</summary>
    public Tensor Pow(double exponent) => Ops.PowScalar.Call(this, exponent);

    /// <summary>this ^ exponent, elementwise.</summary>
    public Tensor Pow(Tensor exponent) => Ops.PowTensor.Call(this, exponent);

    /// <summary>this * this.</summary>
    public Tensor Square() => Ops.Mul.Call(this, this);

    /// <summary>-this.</summary>
    public Tensor Neg() => Ops.Neg.Call(this);

    /// <summary>|this|.</summary>
    public Tensor Abs() => Ops.Abs.Call(this);

    /// <summary>e^this.</summary>
    public Tensor Exp() => Ops.Exp.Call(this);

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Ops.Log.Call(this);

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Ops.Sqrt.Call(this);

    /// <summary>1 / sqrt(this).</summary>
    public Tensor Rsqrt() => Ops.Rsqrt.Call(this);

    /// <summary>Sine.</summary>
    public Tensor Sin() => Ops.Sin.Call(this);

    /// <summary>Cosine.</summary>
    public Tensor Cos() => Ops.Cos.Call(this);

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Ops.Tanh.Call(this);

    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Ops.Sigmoid.Call(this);

    /// <summary>1 / this.</summary>
    public Tensor Reciprocal() => Ops.Reciprocal.Call(this);

    /// <summary>Rounds down.</summary>
    public Tensor Floor() => Ops.Floor.Call(this);

    /// <summary>Rounds to nearest (half to even).</summary>
    public Tensor Round() => Ops.Round.Call(this);

    /// <summary>-1, 0 or 1.</summary>
    public Tensor Sign() => Ops.Sign.Call(this);

    /// <summary>Clamps into [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) => Ops.Clamp.Call(this, Arg.Of(min), Arg.Of(max));

    /// <summary>Elementwise maximum.</summary>
    public Tensor Maximum(Tensor other) => Ops.Maximum.Call(this, other);

    /// <summary>Elementwise minimum.</summary>
    public Tensor Minimum(Tensor other) => Ops.Minimum.Call(this, other);

    /// <summary>Replaces elements where <paramref name="mask"/> is true with <paramref name="value"/>.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Ops.MaskedFill.Call(this, mask, value);

    /// <summary>Matrix product with broadcasting (torch.matmul).</summary>
    public Tensor Matmul(Tensor other) => Ops.Matmul.Call(this, other);

    /// <summary>2-D matrix product.</summary>
    public Tensor Mm(Tensor other) => Ops.Mm.Call(this, other);

    /// <summary>Batched matrix product [B, n, m] x [B, m, p].</summary>
    public Tensor Bmm(Tensor other) => Ops.Bmm.Call(this, other);

    /// <summary>this == other.</summary>
    public Tensor Eq(Tensor other) => Ops.Eq.Call(this, other);

    /// <summary>this == scalar.</summary>
    public Tensor Eq(double other) => Ops.EqScalar.Call(this, other);

    /// <summary>this != other.</summary>
    public Tensor Ne(Tensor other) => Ops.Ne.Call(this, other);

    /// <summary>this != scalar.</summary>
    public Tensor Ne(double other) => Ops.NeScalar.Call(this, other);

    /// <summary>this &lt; other.</summary>
    public Tensor Lt(Tensor other) => Ops.Lt.Call(this, other);

    /// <summary>this &lt; scalar.</summary>
    public Tensor Lt(double other) => Ops.LtScalar.Call(this, other);

    /// <summary>this &lt;= other.</summary>
    public Tensor Le(Tensor other) => Ops.Le.Call(this, other);

    /// <summary>this &lt;= scalar.</summary>
    public Tensor Le(double other) => Ops.LeScalar.Call(this, other);

    /// <summary>this &gt; other.</summary>
    public Tensor Gt(Tensor other) => Ops.Gt.Call(this, other);

    /// <summary>this &gt; scalar.</summary>
    public Tensor Gt(double other) => Ops.GtScalar.Call(this, other);

    /// <summary>this &gt;= other.</summary>
    public Tensor Ge(Tensor other) => Ops.Ge.Call(this, other);

    /// <summary>this &gt;= scalar.</summary>
    public Tensor Ge(double other) => Ops.GeScalar.Call(this, other);

    /// <summary>Logical and.</summary>
    public Tensor LogicalAnd(Tensor other) => Ops.LogicalAnd.Call(this, other);

    /// <summary>Logical or.</summary>
    public Tensor LogicalOr(Tensor other) => Ops.LogicalOr.Call(this, other);

    /// <summary>Logical not.</summary>
    public Tensor LogicalNot() => Ops.LogicalNot.Call(this);

#pragma warning disable CS1591 // operators mirror the named methods above
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    public static Tensor operator -(double a, Tensor b) => b.RSub(a);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
#pragma warning restore CS1591
}
