namespace FlowTune.Torch;

/// <summary>Neural-network functions (torch.nn.functional). Shapes follow PyTorch's conventions.</summary>
public static class F
{
    /// <summary>x Wᵀ + b. x [.., in], weight [out, in], bias [out].</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) => Ops.Linear.Call(input, weight, bias);

    /// <summary>2-D convolution. input [B, Cin, H, W], weight [Cout, Cin/groups, kH, kW].</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
        Ops.Conv2d.Call(input, weight, bias, new[] { stride, stride }, new[] { padding, padding }, new[] { dilation, dilation }, groups);

    /// <summary>Transposed 2-D convolution. weight [Cin, Cout/groups, kH, kW].</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long outputPadding = 0, long groups = 1) =>
        Ops.ConvTranspose2d.Call(input, weight, bias, new[] { stride, stride }, new[] { padding, padding }, new[] { outputPadding, outputPadding }, groups);

    /// <summary>[B, C·r², H, W] → [B, C, H·r, W·r].</summary>
    public static Tensor PixelShuffle(Tensor input, long factor) => Ops.PixelShuffle.Call(input, factor);

    /// <summary>[B, C, H·r, W·r] → [B, C·r², H, W].</summary>
    public static Tensor PixelUnshuffle(Tensor input, long factor) => Ops.PixelUnshuffle.Call(input, factor);

    /// <summary>Group normalisation over channel groups. input [B, C, ...].</summary>
    public static Tensor GroupNorm(Tensor input, long groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        Ops.GroupNorm.Call(input, groups, weight, bias, eps);

    /// <summary>Layer normalisation over the trailing <paramref name="normalizedShape"/>.</summary>
    public static Tensor LayerNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        Ops.LayerNorm.Call(input, normalizedShape, weight, bias, eps);

    /// <summary>x · sigmoid(x).</summary>
    public static Tensor Silu(Tensor input) => Ops.Silu.Call(input);

    /// <summary>GELU, exact (erf) or with the tanh approximation.</summary>
    public static Tensor Gelu(Tensor input, bool tanhApproximation = false) => Ops.Gelu.Call(input, tanhApproximation ? "tanh" : "none");

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor input) => Ops.Relu.Call(input);

    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public static Tensor Softmax(Tensor input, int dim) => Ops.Softmax.Call(input, dim);

    /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(Tensor input, int dim) => Ops.LogSoftmax.Call(input, dim);

    /// <summary>Rows of <paramref name="weight"/> [V, D] picked by int64 <paramref name="indices"/>.</summary>
    public static Tensor Embedding(Tensor weight, Tensor indices) => Ops.Embedding.Call(weight, indices);

    /// <summary>Nearest-neighbour upsampling of [B, C, H, W] by an integer factor.</summary>
    public static Tensor UpsampleNearest(Tensor input, long factor)
    {
        var s = input.Shape;
        return Ops.UpsampleNearest2d.Call(input, new[] { s[2] * factor, s[3] * factor });
    }

    /// <summary>Average pooling with a square kernel (stride = kernel).</summary>
    public static Tensor AvgPool2d(Tensor input, long kernel) => Ops.AvgPool2d.Call(input, new[] { kernel, kernel }, new[] { kernel, kernel });

    /// <summary>
    /// Inverted dropout: zeroes elements with probability <paramref name="p"/> and scales the rest by 1/(1-p).
    /// The mask comes from <paramref name="generator"/> (reproducible); identity when not training or p = 0.
    /// </summary>
    public static Tensor Dropout(Tensor input, double p, bool training, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1.0);
        if (!training || p == 0)
        {
            return input.Share();
        }
        using var scope = TensorScope.Enter();
        using var keep = Tensor.Full(input.Shape, 1 - p, input.DType);
        var mask = Ops.Bernoulli.Call(keep, 1 - p, generator); // [same as input], 0/1
        if (input.Device.Type != DeviceType.Cpu)
        {
            mask = mask.To(input.Device);
        }
        return scope.MoveToOuter(input * mask * (1.0 / (1 - p)));
    }

    /// <summary>
    /// softmax(q kᵀ / sqrt(d) + mask) v, composed from matmul and softmax (libtorch 1.13 has no fused kernel).
    /// q [B, H, Tq, D], k and v [B, H, Tk, D], optional additive mask broadcastable to [B, H, Tq, Tk].
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? additiveMask = null)
    {
        using var scope = TensorScope.Enter();
        var d = q.Size(-1);
        var scores = q.Matmul(k.Transpose(-2, -1)) * (1.0 / Math.Sqrt(d)); // [B, H, Tq, Tk]
        if (additiveMask is not null)
        {
            scores = scores + additiveMask;
        }
        var weights = Softmax(scores, -1);                                  // [B, H, Tq, Tk]
        return scope.MoveToOuter(weights.Matmul(v));                        // [B, H, Tq, D]
    }

    /// <summary>[B, T, H·Dh] → [B, H, T, Dh] (a view): the per-head layout attention works in.</summary>
    public static Tensor SplitHeads(Tensor x, long heads)
    {
        var s = x.Shape;
        return x.View(s[0], s[1], heads, s[2] / heads).Transpose(1, 2);
    }

    /// <summary>[B, H, T, Dh] → [B, T, H·Dh]: the inverse of <see cref="SplitHeads"/>.</summary>
    public static Tensor MergeHeads(Tensor o)
    {
        var s = o.Shape;
        return o.Transpose(1, 2).Reshape(s[0], s[2], s[1] * s[3]);
    }

    /// <summary>Mean squared error over all elements.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target)
    {
        using var scope = TensorScope.Enter();
        return scope.MoveToOuter((input - target).Square().Mean());
    }

    /// <summary>Mean cross-entropy of logits [N, C] against int64 class indices [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets)
    {
        using var scope = TensorScope.Enter();
        var logp = LogSoftmax(logits, -1);                        // [N, C]
        var picked = logp.Gather(1, targets.Unsqueeze(1));        // [N, 1]
        return scope.MoveToOuter(picked.Mean().Neg());
    }
}
