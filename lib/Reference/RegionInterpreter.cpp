//===- RegionInterpreter.cpp - Interpreting score/mask regions ------------===//
//
// Each supported op becomes one step reading and writing registers. The set
// of ops is what a score_mod/mask_mod needs: arith, math, tensor.extract of a
// capture, and attn.position.
//
//===----------------------------------------------------------------------===//

#include "RegionInterpreter.h"

#include "attn/Dialect/Attn.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn::reference;

namespace {

/// Integer bit width of `type` (64 for index), or 0 for non-integers.
unsigned intWidth(Type type) {
  if (type.isIndex())
    return 64;
  if (auto intType = llvm::dyn_cast<IntegerType>(type))
    return intType.getWidth();
  return 0;
}

/// Wraps `value` to a signed integer of `width` bits, as the ops define.
double wrapSigned(double value, unsigned width) {
  if (width == 0 || width >= 64)
    return value;
  if (width == 1)
    return static_cast<int64_t>(value) & 1;
  int64_t v = static_cast<int64_t>(value);
  int64_t mask = (int64_t(1) << width) - 1;
  v &= mask;
  if (v >> (width - 1))
    v -= int64_t(1) << width;
  return static_cast<double>(v);
}

/// Unsigned view of a value held as a signed integer of `width` bits.
uint64_t asUnsigned(double value, unsigned width) {
  uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(value));
  if (width == 0 || width >= 64)
    return v;
  return v & ((uint64_t(1) << width) - 1);
}

bool compareInt(arith::CmpIPredicate predicate, double a, double b,
                unsigned width) {
  int64_t x = static_cast<int64_t>(a), y = static_cast<int64_t>(b);
  uint64_t ux = asUnsigned(a, width), uy = asUnsigned(b, width);
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return x == y;
  case arith::CmpIPredicate::ne:
    return x != y;
  case arith::CmpIPredicate::slt:
    return x < y;
  case arith::CmpIPredicate::sle:
    return x <= y;
  case arith::CmpIPredicate::sgt:
    return x > y;
  case arith::CmpIPredicate::sge:
    return x >= y;
  case arith::CmpIPredicate::ult:
    return ux < uy;
  case arith::CmpIPredicate::ule:
    return ux <= uy;
  case arith::CmpIPredicate::ugt:
    return ux > uy;
  case arith::CmpIPredicate::uge:
    return ux >= uy;
  }
  return false;
}

bool compareFloat(arith::CmpFPredicate predicate, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  using P = arith::CmpFPredicate;
  switch (predicate) {
  case P::AlwaysFalse:
    return false;
  case P::AlwaysTrue:
    return true;
  case P::OEQ:
    return !unordered && a == b;
  case P::OGT:
    return !unordered && a > b;
  case P::OGE:
    return !unordered && a >= b;
  case P::OLT:
    return !unordered && a < b;
  case P::OLE:
    return !unordered && a <= b;
  case P::ONE:
    return !unordered && a != b;
  case P::ORD:
    return !unordered;
  case P::UEQ:
    return unordered || a == b;
  case P::UGT:
    return unordered || a > b;
  case P::UGE:
    return unordered || a >= b;
  case P::ULT:
    return unordered || a < b;
  case P::ULE:
    return unordered || a <= b;
  case P::UNE:
    return unordered || a != b;
  case P::UNO:
    return unordered;
  }
  return false;
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t ceilDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
}

/// Builds the steps of one block.
class Compiler {
public:
  Compiler(std::vector<RegionProgram::Step> &steps,
           std::vector<Location> &locations)
      : steps(steps), locations(locations) {}

  unsigned reg(Value v) {
    auto [it, inserted] = registers.try_emplace(v, registers.size());
    return it->second;
  }
  unsigned size() const { return registers.size(); }

  void add(Operation *op, RegionProgram::Step step) {
    steps.push_back(std::move(step));
    locations.push_back(op->getLoc());
  }

  /// r = f(a) for a one-operand float op.
  template <typename Fn> void unary(Operation *op, Fn fn) {
    unsigned a = reg(op->getOperand(0)), r = reg(op->getResult(0));
    add(op, [=](std::vector<double> &x, const RegionContext &, std::string &) {
      x[r] = fn(x[a]);
      return true;
    });
  }

  /// r = f(a, b) for a two-operand op; integer results wrap to their width.
  template <typename Fn> void binary(Operation *op, Fn fn) {
    unsigned a = reg(op->getOperand(0)), b = reg(op->getOperand(1)),
             r = reg(op->getResult(0));
    unsigned width = intWidth(op->getResult(0).getType());
    add(op, [=](std::vector<double> &x, const RegionContext &, std::string &) {
      x[r] = wrapSigned(fn(x[a], x[b]), width);
      return true;
    });
  }

  /// An integer division-like op that fails on a zero divisor.
  template <typename Fn> void division(Operation *op, Fn fn) {
    unsigned a = reg(op->getOperand(0)), b = reg(op->getOperand(1)),
             r = reg(op->getResult(0));
    unsigned width = intWidth(op->getResult(0).getType());
    add(op, [=](std::vector<double> &x, const RegionContext &,
                std::string &message) {
      int64_t divisor = static_cast<int64_t>(x[b]);
      if (divisor == 0) {
        message = "integer division by zero";
        return false;
      }
      x[r] = wrapSigned(static_cast<double>(fn(static_cast<int64_t>(x[a]),
                                               divisor, asUnsigned(x[a], width),
                                               asUnsigned(x[b], width))),
                        width);
      return true;
    });
  }

  LogicalResult compileOp(Operation *op, unsigned numLeading);

private:
  std::vector<RegionProgram::Step> &steps;
  std::vector<Location> &locations;
  llvm::DenseMap<Value, unsigned> registers;
};

LogicalResult Compiler::compileOp(Operation *op, unsigned numLeading) {
  using I = int64_t;
  using U = uint64_t;
  bool handled = true;
  llvm::TypeSwitch<Operation *>(op)
      .Case<arith::ConstantOp>([&](arith::ConstantOp c) {
        double value;
        if (auto f = llvm::dyn_cast<FloatAttr>(c.getValue()))
          value = f.getValueAsDouble();
        else if (auto i = llvm::dyn_cast<IntegerAttr>(c.getValue()))
          value = i.getType().isInteger(1)
                      ? static_cast<double>(i.getValue().getBoolValue())
                      : static_cast<double>(i.getValue().getSExtValue());
        else {
          handled = false;
          return;
        }
        unsigned r = reg(c.getResult());
        add(op,
            [=](std::vector<double> &x, const RegionContext &, std::string &) {
              x[r] = value;
              return true;
            });
      })
      .Case<arith::AddFOp, arith::AddIOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return a + b; });
      })
      .Case<arith::SubFOp, arith::SubIOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return a - b; });
      })
      .Case<arith::MulFOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return a * b; });
      })
      .Case<arith::MulIOp>([&](Operation *o) {
        binary(o, [](double a, double b) {
          return static_cast<double>(
              static_cast<I>(static_cast<U>(static_cast<I>(a)) *
                             static_cast<U>(static_cast<I>(b))));
        });
      })
      .Case<arith::DivFOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return a / b; });
      })
      .Case<arith::RemFOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return std::fmod(a, b); });
      })
      .Case<arith::MaximumFOp>([&](Operation *o) {
        binary(o, [](double a, double b) {
          return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
        });
      })
      .Case<arith::MinimumFOp>([&](Operation *o) {
        binary(o, [](double a, double b) {
          return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
        });
      })
      .Case<arith::MaxNumFOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return std::fmax(a, b); });
      })
      .Case<arith::MinNumFOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return std::fmin(a, b); });
      })
      .Case<arith::MaxSIOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return std::max(a, b); });
      })
      .Case<arith::MinSIOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return std::min(a, b); });
      })
      .Case<arith::AndIOp>([&](Operation *o) {
        binary(o, [](double a, double b) {
          return static_cast<double>(static_cast<I>(a) & static_cast<I>(b));
        });
      })
      .Case<arith::OrIOp>([&](Operation *o) {
        binary(o, [](double a, double b) {
          return static_cast<double>(static_cast<I>(a) | static_cast<I>(b));
        });
      })
      .Case<arith::XOrIOp>([&](Operation *o) {
        binary(o, [](double a, double b) {
          return static_cast<double>(static_cast<I>(a) ^ static_cast<I>(b));
        });
      })
      .Case<arith::DivSIOp>([&](Operation *o) {
        division(o, [](I a, I b, U, U) { return a / b; });
      })
      .Case<arith::RemSIOp>([&](Operation *o) {
        division(o, [](I a, I b, U, U) { return a % b; });
      })
      .Case<arith::DivUIOp>([&](Operation *o) {
        division(o, [](I, I, U a, U b) { return static_cast<I>(a / b); });
      })
      .Case<arith::RemUIOp>([&](Operation *o) {
        division(o, [](I, I, U a, U b) { return static_cast<I>(a % b); });
      })
      .Case<arith::FloorDivSIOp>([&](Operation *o) {
        division(o, [](I a, I b, U, U) { return floorDiv(a, b); });
      })
      .Case<arith::CeilDivSIOp>([&](Operation *o) {
        division(o, [](I a, I b, U, U) { return ceilDiv(a, b); });
      })
      .Case<arith::NegFOp, math::AbsFOp, math::ExpOp, math::Exp2Op,
            math::ExpM1Op, math::LogOp, math::Log2Op, math::Log1pOp,
            math::TanhOp, math::SqrtOp, math::RsqrtOp, math::SinOp, math::CosOp,
            math::ErfOp, math::FloorOp, math::CeilOp, math::AbsIOp>(
          [&](Operation *o) {
            double (*fn)(double) =
                llvm::TypeSwitch<Operation *, double (*)(double)>(o)
                    .Case<arith::NegFOp>(
                        [](auto) { return +[](double a) { return -a; }; })
                    .Case<math::AbsFOp, math::AbsIOp>([](auto) {
                      return +[](double a) { return std::fabs(a); };
                    })
                    .Case<math::ExpOp>([](auto) {
                      return +[](double a) { return std::exp(a); };
                    })
                    .Case<math::Exp2Op>([](auto) {
                      return +[](double a) { return std::exp2(a); };
                    })
                    .Case<math::ExpM1Op>([](auto) {
                      return +[](double a) { return std::expm1(a); };
                    })
                    .Case<math::LogOp>([](auto) {
                      return +[](double a) { return std::log(a); };
                    })
                    .Case<math::Log2Op>([](auto) {
                      return +[](double a) { return std::log2(a); };
                    })
                    .Case<math::Log1pOp>([](auto) {
                      return +[](double a) { return std::log1p(a); };
                    })
                    .Case<math::TanhOp>([](auto) {
                      return +[](double a) { return std::tanh(a); };
                    })
                    .Case<math::SqrtOp>([](auto) {
                      return +[](double a) { return std::sqrt(a); };
                    })
                    .Case<math::RsqrtOp>([](auto) {
                      return +[](double a) { return 1.0 / std::sqrt(a); };
                    })
                    .Case<math::SinOp>([](auto) {
                      return +[](double a) { return std::sin(a); };
                    })
                    .Case<math::CosOp>([](auto) {
                      return +[](double a) { return std::cos(a); };
                    })
                    .Case<math::ErfOp>([](auto) {
                      return +[](double a) { return std::erf(a); };
                    })
                    .Case<math::FloorOp>([](auto) {
                      return +[](double a) { return std::floor(a); };
                    })
                    .Case<math::CeilOp>([](auto) {
                      return +[](double a) { return std::ceil(a); };
                    })
                    .Default([](auto) { return nullptr; });
            unary(o, fn);
          })
      .Case<math::PowFOp>([&](Operation *o) {
        binary(o, [](double a, double b) { return std::pow(a, b); });
      })
      .Case<math::FmaOp>([&](math::FmaOp fma) {
        unsigned a = reg(fma.getA()), b = reg(fma.getB()), c = reg(fma.getC()),
                 r = reg(fma.getResult());
        add(op,
            [=](std::vector<double> &x, const RegionContext &, std::string &) {
              x[r] = x[a] * x[b] + x[c];
              return true;
            });
      })
      .Case<arith::CmpIOp>([&](arith::CmpIOp cmp) {
        unsigned a = reg(cmp.getLhs()), b = reg(cmp.getRhs()),
                 r = reg(cmp.getResult());
        unsigned width = intWidth(cmp.getLhs().getType());
        arith::CmpIPredicate predicate = cmp.getPredicate();
        add(op,
            [=](std::vector<double> &x, const RegionContext &, std::string &) {
              x[r] = compareInt(predicate, x[a], x[b], width) ? 1.0 : 0.0;
              return true;
            });
      })
      .Case<arith::CmpFOp>([&](arith::CmpFOp cmp) {
        unsigned a = reg(cmp.getLhs()), b = reg(cmp.getRhs()),
                 r = reg(cmp.getResult());
        arith::CmpFPredicate predicate = cmp.getPredicate();
        add(op,
            [=](std::vector<double> &x, const RegionContext &, std::string &) {
              x[r] = compareFloat(predicate, x[a], x[b]) ? 1.0 : 0.0;
              return true;
            });
      })
      .Case<arith::SelectOp>([&](arith::SelectOp select) {
        if (!select.getCondition().getType().isInteger(1)) {
          handled = false;
          return;
        }
        unsigned c = reg(select.getCondition()), a = reg(select.getTrueValue()),
                 b = reg(select.getFalseValue()), r = reg(select.getResult());
        add(op,
            [=](std::vector<double> &x, const RegionContext &, std::string &) {
              x[r] = x[c] != 0.0 ? x[a] : x[b];
              return true;
            });
      })
      .Case<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp,
            arith::SIToFPOp, arith::ExtFOp, arith::TruncFOp>([&](Operation *o) {
        unsigned width = intWidth(o->getResult(0).getType());
        unary(o, [width](double a) { return wrapSigned(a, width); });
      })
      .Case<arith::IndexCastUIOp, arith::ExtUIOp, arith::UIToFPOp>(
          [&](Operation *o) {
            unsigned from = intWidth(o->getOperand(0).getType());
            unsigned width = intWidth(o->getResult(0).getType());
            unary(o, [=](double a) {
              return wrapSigned(static_cast<double>(asUnsigned(a, from)),
                                width);
            });
          })
      .Case<arith::FPToSIOp, arith::FPToUIOp>([&](Operation *o) {
        unsigned width = intWidth(o->getResult(0).getType());
        unary(o,
              [width](double a) { return wrapSigned(std::trunc(a), width); });
      })
      .Case<tensor::ExtractOp>([&](tensor::ExtractOp extract) {
        auto arg = llvm::dyn_cast<BlockArgument>(extract.getTensor());
        if (!arg || arg.getArgNumber() < numLeading) {
          handled = false;
          return;
        }
        unsigned capture = arg.getArgNumber() - numLeading;
        SmallVector<unsigned> indices;
        for (Value index : extract.getIndices())
          indices.push_back(reg(index));
        unsigned r = reg(extract.getResult());
        add(op, [=](std::vector<double> &x, const RegionContext &context,
                    std::string &message) {
          const Tensor &t = *context.captures[capture];
          int64_t offset = 0;
          for (auto [d, index] : llvm::enumerate(indices)) {
            int64_t at = static_cast<int64_t>(x[index]);
            if (at < 0 || at >= t.shape[d]) {
              message = "tensor.extract index " + std::to_string(at) +
                        " out of bounds for dimension " + std::to_string(d) +
                        " of capture " + std::to_string(capture) +
                        " with shape " + t.shapeString();
              return false;
            }
            offset = offset * t.shape[d] + at;
          }
          x[r] = t.data[offset];
          return true;
        });
      })
      .Case<tensor::DimOp>([&](tensor::DimOp dim) {
        auto arg = llvm::dyn_cast<BlockArgument>(dim.getSource());
        if (!arg || arg.getArgNumber() < numLeading) {
          handled = false;
          return;
        }
        unsigned capture = arg.getArgNumber() - numLeading;
        unsigned index = reg(dim.getIndex()), r = reg(dim.getResult());
        add(op, [=](std::vector<double> &x, const RegionContext &context,
                    std::string &message) {
          const Tensor &t = *context.captures[capture];
          int64_t d = static_cast<int64_t>(x[index]);
          if (d < 0 || d >= t.rank()) {
            message = "tensor.dim index " + std::to_string(d) +
                      " out of range for a rank-" + std::to_string(t.rank()) +
                      " capture";
            return false;
          }
          x[r] = static_cast<double>(t.shape[d]);
          return true;
        });
      })
      .Case<mlir::attn::PositionOp>([&](mlir::attn::PositionOp position) {
        unsigned b = reg(position.getBatch()), i = reg(position.getQuery()),
                 r = reg(position.getPosition());
        add(op, [=](std::vector<double> &x, const RegionContext &context,
                    std::string &) {
          x[r] = static_cast<double>(context.position(
              static_cast<int64_t>(x[b]), static_cast<int64_t>(x[i])));
          return true;
        });
      })
      .Default([&](Operation *) { handled = false; });
  if (!handled)
    return op->emitError() << "the reference oracle cannot interpret '"
                           << op->getName() << "' in a region (supported: "
                           << "arith, math, tensor.extract/dim of a capture, "
                           << "attn.position)";
  return success();
}

} // namespace

FailureOr<RegionProgram> RegionProgram::compile(Region &region,
                                                unsigned leadingArgs) {
  RegionProgram program;
  Compiler compiler(program.steps, program.stepLocations);
  Block &block = region.front();
  for (BlockArgument arg : block.getArguments())
    compiler.reg(arg);
  for (Operation &op : block.without_terminator())
    if (failed(compiler.compileOp(&op, leadingArgs)))
      return failure();
  auto yield = llvm::cast<mlir::attn::YieldOp>(block.getTerminator());
  program.resultRegister = compiler.reg(yield.getValues()[0]);
  program.numRegisters = compiler.size();
  program.numLeading = leadingArgs;
  program.registers.assign(program.numRegisters, 0.0);
  return program;
}

std::optional<double> RegionProgram::run(ArrayRef<double> leading,
                                         const RegionContext &context) {
  for (auto [i, value] : llvm::enumerate(leading))
    registers[i] = value;
  // Scalar captures live in the registers right after the leading arguments.
  for (auto [c, capture] : llvm::enumerate(context.captures))
    if (capture->rank() == 0)
      registers[numLeading + c] = capture->data[0];
  std::string message;
  for (auto [step, location] : llvm::zip(steps, stepLocations)) {
    if (!step(registers, context, message)) {
      if (!error)
        error.emplace(location, message);
      return std::nullopt;
    }
  }
  return registers[resultRegister];
}
