namespace FlowTune.Torch;

/// <summary>The aten operators FlowTune calls, one cached handle each (schemas: ATen's RegistrationDeclarations.h).</summary>
internal static class Ops
{
    // Elementwise arithmetic.
    public static readonly AtenOp Add = new("aten::add", "Tensor");
    public static readonly AtenOp AddScalar = new("aten::add", "Scalar");
    public static readonly AtenOp Sub = new("aten::sub", "Tensor");
    public static readonly AtenOp SubScalar = new("aten::sub", "Scalar");
    public static readonly AtenOp Mul = new("aten::mul", "Tensor");
    public static readonly AtenOp MulScalar = new("aten::mul", "Scalar");
    public static readonly AtenOp Div = new("aten::div", "Tensor");
    public static readonly AtenOp DivScalar = new("aten::div", "Scalar");
    public static readonly AtenOp RSubScalar = new("aten::rsub", "Scalar");
    public static readonly AtenOp PowScalar = new("aten::pow", "Tensor_Scalar");
    public static readonly AtenOp PowTensor = new("aten::pow", "Tensor_Tensor");
    public static readonly AtenOp Neg = new("aten::neg");
    public static readonly AtenOp Abs = new("aten::abs");
    public static readonly AtenOp Exp = new("aten::exp");
    public static readonly AtenOp Log = new("aten::log");
    public static readonly AtenOp Sqrt = new("aten::sqrt");
    public static readonly AtenOp Rsqrt = new("aten::rsqrt");
    public static readonly AtenOp Sin = new("aten::sin");
    public static readonly AtenOp Cos = new("aten::cos");
    public static readonly AtenOp Tanh = new("aten::tanh");
    public static readonly AtenOp Sigmoid = new("aten::sigmoid");
    public static readonly AtenOp Reciprocal = new("aten::reciprocal");
    public static readonly AtenOp Floor = new("aten::floor");
    public static readonly AtenOp Round = new("aten::round");
    public static readonly AtenOp Sign = new("aten::sign");
    public static readonly AtenOp Clamp = new("aten::clamp");
    public static readonly AtenOp Maximum = new("aten::maximum");
    public static readonly AtenOp Minimum = new("aten::minimum");
    public static readonly AtenOp Where = new("aten::where", "self");
    public static readonly AtenOp MaskedFill = new("aten::masked_fill", "Scalar");

    // Comparisons and logic.
    public static readonly AtenOp Eq = new("aten::eq", "Tensor");
    public static readonly AtenOp EqScalar = new("aten::eq", "Scalar");
    public static readonly AtenOp Ne = new("aten::ne", "Tensor");
    public static readonly AtenOp NeScalar = new("aten::ne", "Scalar");
    public static readonly AtenOp Lt = new("aten::lt", "Tensor");
    public static readonly AtenOp LtScalar = new("aten::lt", "Scalar");
    public static readonly AtenOp Le = new("aten::le", "Tensor");
    public static readonly AtenOp LeScalar = new("aten::le", "Scalar");
    public static readonly AtenOp Gt = new("aten::gt", "Tensor");
    public static readonly AtenOp GtScalar = new("aten::gt", "Scalar");
    public static readonly AtenOp Ge = new("aten::ge", "Tensor");
    public static readonly AtenOp GeScalar = new("aten::ge", "Scalar");
    public static readonly AtenOp LogicalAnd = new("aten::logical_and");
    public static readonly AtenOp LogicalOr = new("aten::logical_or");
    public static readonly AtenOp LogicalNot = new("aten::logical_not");

    // Linear algebra.
    public static readonly AtenOp Matmul = new("aten::matmul");
    public static readonly AtenOp Mm = new("aten::mm");
    public static readonly AtenOp Bmm = new("aten::bmm");

    // Reductions.
    public static readonly AtenOp Sum = new("aten::sum");
    public static readonly AtenOp SumDim = new("aten::sum", "dim_IntList");
    public static readonly AtenOp Mean = new("aten::mean");
    public static readonly AtenOp MeanDim = new("aten::mean", "dim");
    public static readonly AtenOp Var = new("aten::var", "correction");
    public static readonly AtenOp Std = new("aten::std", "correction");
    public static readonly AtenOp Max = new("aten::max");
    public static readonly AtenOp MaxDim = new("aten::max", "dim");
    public static readonly AtenOp Min = new("aten::min");
    public static readonly AtenOp MinDim = new("aten::min", "dim");
    public static readonly AtenOp Argmax = new("aten::argmax");
    public static readonly AtenOp Argmin = new("aten::argmin");
    public static readonly AtenOp All = new("aten::all");
    public static readonly AtenOp Any = new("aten::any");
    public static readonly AtenOp Cumsum = new("aten::cumsum");
    public static readonly AtenOp Sort = new("aten::sort");

    // Shapes and indexing.
    public static readonly AtenOp View = new("aten::view");
    public static readonly AtenOp Reshape = new("aten::reshape");
    public static readonly AtenOp Permute = new("aten::permute");
    public static readonly AtenOp Transpose = new("aten::transpose", "int");
    public static readonly AtenOp Flatten = new("aten::flatten", "using_ints");
    public static readonly AtenOp Unsqueeze = new("aten::unsqueeze");
    public static readonly AtenOp SqueezeDim = new("aten::squeeze", "dim");
    public static readonly AtenOp Cat = new("aten::cat");
    public static readonly AtenOp Stack = new("aten::stack");
    public static readonly AtenOp Chunk = new("aten::chunk");
    public static readonly AtenOp Split = new("aten::split", "Tensor");
    public static readonly AtenOp SplitWithSizes = new("aten::split_with_sizes");
    public static readonly AtenOp Slice = new("aten::slice", "Tensor");
    public static readonly AtenOp Narrow = new("aten::narrow");
    public static readonly AtenOp Select = new("aten::select", "int");
    public static readonly AtenOp IndexSelect = new("aten::index_select");
    public static readonly AtenOp Gather = new("aten::gather");
    public static readonly AtenOp Expand = new("aten::expand");
    public static readonly AtenOp Repeat = new("aten::repeat");
    public static readonly AtenOp Flip = new("aten::flip");
    public static readonly AtenOp Triu = new("aten::triu");
    public static readonly AtenOp Contiguous = new("aten::contiguous");
    public static readonly AtenOp Clone = new("aten::clone");
    public static readonly AtenOp Detach = new("aten::detach");
    public static readonly AtenOp ToDType = new("aten::to", "dtype");
    public static readonly AtenOp ToDevice = new("aten::to", "device");
    public static readonly AtenOp ConstantPad = new("aten::constant_pad_nd");

    // In-place updates (optimizers, EMA, parameter loading).
    public static readonly AtenOp AddInPlace = new("aten::add_", "Tensor");
    public static readonly AtenOp MulInPlace = new("aten::mul_", "Tensor");
    public static readonly AtenOp MulScalarInPlace = new("aten::mul_", "Scalar");
    public static readonly AtenOp DivScalarInPlace = new("aten::div_", "Scalar");
    public static readonly AtenOp AddcmulInPlace = new("aten::addcmul_");
    public static readonly AtenOp AddcdivInPlace = new("aten::addcdiv_");
    public static readonly AtenOp LerpInPlace = new("aten::lerp_", "Scalar");
    public static readonly AtenOp CopyInPlace = new("aten::copy_");
    public static readonly AtenOp FillInPlace = new("aten::fill_", "Scalar");
    public static readonly AtenOp ZeroInPlace = new("aten::zero_");
    public static readonly AtenOp ClampInPlace = new("aten::clamp_");
    public static readonly AtenOp NormalInPlace = new("aten::normal_");
    public static readonly AtenOp UniformInPlace = new("aten::uniform_");

    // Creation.
    public static readonly AtenOp Zeros = new("aten::zeros");
    public static readonly AtenOp Ones = new("aten::ones");
    public static readonly AtenOp Full = new("aten::full");
    public static readonly AtenOp Empty = new("aten::empty", "memory_format");
    public static readonly AtenOp Arange = new("aten::arange", "start_step");
    public static readonly AtenOp Linspace = new("aten::linspace");
    public static readonly AtenOp Randn = new("aten::randn", "generator");
    public static readonly AtenOp Rand = new("aten::rand", "generator");
    public static readonly AtenOp RandInt = new("aten::randint", "low_generator");
    public static readonly AtenOp RandPerm = new("aten::randperm", "generator");
    public static readonly AtenOp Bernoulli = new("aten::bernoulli", "p");
    public static readonly AtenOp ZerosLike = new("aten::zeros_like");
    public static readonly AtenOp OnesLike = new("aten::ones_like");

    // Neural-network functions.
    public static readonly AtenOp Linear = new("aten::linear");
    public static readonly AtenOp Conv2d = new("aten::conv2d");
    public static readonly AtenOp ConvTranspose2d = new("aten::conv_transpose2d", "input");
    public static readonly AtenOp PixelShuffle = new("aten::pixel_shuffle");
    public static readonly AtenOp PixelUnshuffle = new("aten::pixel_unshuffle");
    public static readonly AtenOp GroupNorm = new("aten::group_norm");
    public static readonly AtenOp LayerNorm = new("aten::layer_norm");
    public static readonly AtenOp Silu = new("aten::silu");
    public static readonly AtenOp Gelu = new("aten::gelu");
    public static readonly AtenOp Relu = new("aten::relu");
    public static readonly AtenOp Softmax = new("aten::softmax", "int");
    public static readonly AtenOp LogSoftmax = new("aten::log_softmax", "int");
    public static readonly AtenOp Embedding = new("aten::embedding");
    public static readonly AtenOp UpsampleNearest2d = new("aten::upsample_nearest2d");
    public static readonly AtenOp AvgPool2d = new("aten::avg_pool2d");
}
