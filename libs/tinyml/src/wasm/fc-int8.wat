;; int8 rows x vectors with WebAssembly SIMD, bit-exact with TFLM's reference FullyConnected(PerChannel) and
;; ConvPerChannel (zero filter offset). For each vector p (x + p * xStride):
;;   out[p * rows + r] = clamp(MultiplyByQuantizedMultiplier(acc0[r] + sum_i w[r][i] * x_p[i], mul[r], shift[r]) + zp)
;; acc0[r] = bias[r] + input_offset * sum_i w[r][i] (folded on the host; padded conv taps hold the input zero
;; point, so they add nothing). All arithmetic is int32 / int64 with wrap-around, as in the C++ code. Rows are
;; padded to a multiple of 4 and the row length to a multiple of 16 with zero weights, so the loops have no
;; remainders (bytes read past a vector's end meet zero weights).
;; Build: libs/tinyml/tools/build-wasm.ts (wabt) writes fc-int8.wasm.ts; a test checks it is current.
(module
  (import "env" "memory" (memory 1))

  ;; TFLM MultiplyByQuantizedMultiplier (double rounding: SaturatingRoundingDoublingHighMul, then
  ;; RoundingDivideByPOT).
  (func $requantize (param $x i32) (param $m i32) (param $shift i32) (result i32)
    (local $ab i64) (local $h i32) (local $right i32) (local $mask i32)
    (if (i32.gt_s (local.get $shift) (i32.const 0))
      (then (local.set $x (i32.shl (local.get $x) (local.get $shift))))
      (else (local.set $right (i32.sub (i32.const 0) (local.get $shift)))))
    (if (i32.and (i32.eq (local.get $x) (i32.const 0x80000000)) (i32.eq (local.get $m) (i32.const 0x80000000)))
      (then (local.set $h (i32.const 0x7fffffff)))
      (else
        (local.set $ab (i64.mul (i64.extend_i32_s (local.get $x)) (i64.extend_i32_s (local.get $m))))
        (local.set $h (i32.wrap_i64 (i64.div_s
          (i64.add (local.get $ab)
            (select (i64.const 0x40000000) (i64.const -0x3fffffff) (i64.ge_s (local.get $ab) (i64.const 0))))
          (i64.const 0x80000000))))))
    (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $right)) (i32.const 1)))
    (i32.add
      (i32.shr_s (local.get $h) (local.get $right))
      (i32.gt_s
        (i32.and (local.get $h) (local.get $mask))
        (i32.add (i32.shr_s (local.get $mask) (i32.const 1)) (i32.lt_s (local.get $h) (i32.const 0))))))

  (func $hsum (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; Stores one requantized, clamped output.
  (func $emit (param $out i32) (param $sum i32) (param $m i32) (param $shift i32)
              (param $zp i32) (param $lo i32) (param $hi i32)
    (local $v i32)
    (local.set $v (i32.add (call $requantize (local.get $sum) (local.get $m) (local.get $shift)) (local.get $zp)))
    (if (i32.lt_s (local.get $v) (local.get $lo)) (then (local.set $v (local.get $lo))))
    (if (i32.gt_s (local.get $v) (local.get $hi)) (then (local.set $v (local.get $hi))))
    (i32.store8 (local.get $out) (local.get $v)))

  ;; n: padded row length (multiple of 16); rows: padded row count (multiple of 4).
  ;; w: rows x n int8; acc0, mul, shift: rows int32 each; vectors: `pixels` int8 vectors xStride bytes apart
  ;; from x; out: pixels x rows int8.
  (func (export "fc")
    (param $n i32) (param $rows i32) (param $w i32) (param $x i32) (param $xStride i32) (param $pixels i32)
    (param $acc0 i32) (param $mul i32) (param $shift i32) (param $out i32)
    (param $zp i32) (param $lo i32) (param $hi i32)
    (local $p i32)
    (block $allDone
      (loop $pixelLoop
        (br_if $allDone (i32.ge_u (local.get $p) (local.get $pixels)))
        (call $rowsTimesVector (local.get $n) (local.get $rows) (local.get $w)
          (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $xStride)))
          (local.get $acc0) (local.get $mul) (local.get $shift)
          (i32.add (local.get $out) (i32.mul (local.get $p) (local.get $rows)))
          (local.get $zp) (local.get $lo) (local.get $hi))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixelLoop))))

  (func $rowsTimesVector
    (param $n i32) (param $rows i32) (param $w i32) (param $x i32) (param $acc0 i32) (param $mul i32)
    (param $shift i32) (param $out i32) (param $zp i32) (param $lo i32) (param $hi i32)
    (local $r i32) (local $k i32) (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $xv v128) (local $xl v128) (local $xh v128) (local $wv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $q i32)
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $n))))
        (local.set $w1 (i32.add (local.get $w0) (local.get $n)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $n)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $kDone
          (loop $kLoop
            (br_if $kDone (i32.ge_u (local.get $k) (local.get $n)))
            (local.set $xv (v128.load (i32.add (local.get $x) (local.get $k))))
            (local.set $xl (i16x8.extend_low_i8x16_s (local.get $xv)))
            (local.set $xh (i16x8.extend_high_i8x16_s (local.get $xv)))
            (local.set $wv (v128.load (i32.add (local.get $w0) (local.get $k))))
            (local.set $a0 (i32x4.add (local.get $a0) (i32x4.add
              (i32x4.dot_i16x8_s (local.get $xl) (i16x8.extend_low_i8x16_s (local.get $wv)))
              (i32x4.dot_i16x8_s (local.get $xh) (i16x8.extend_high_i8x16_s (local.get $wv))))))
            (local.set $wv (v128.load (i32.add (local.get $w1) (local.get $k))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.add
              (i32x4.dot_i16x8_s (local.get $xl) (i16x8.extend_low_i8x16_s (local.get $wv)))
              (i32x4.dot_i16x8_s (local.get $xh) (i16x8.extend_high_i8x16_s (local.get $wv))))))
            (local.set $wv (v128.load (i32.add (local.get $w2) (local.get $k))))
            (local.set $a2 (i32x4.add (local.get $a2) (i32x4.add
              (i32x4.dot_i16x8_s (local.get $xl) (i16x8.extend_low_i8x16_s (local.get $wv)))
              (i32x4.dot_i16x8_s (local.get $xh) (i16x8.extend_high_i8x16_s (local.get $wv))))))
            (local.set $wv (v128.load (i32.add (local.get $w3) (local.get $k))))
            (local.set $a3 (i32x4.add (local.get $a3) (i32x4.add
              (i32x4.dot_i16x8_s (local.get $xl) (i16x8.extend_low_i8x16_s (local.get $wv)))
              (i32x4.dot_i16x8_s (local.get $xh) (i16x8.extend_high_i8x16_s (local.get $wv))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $kLoop)))
        ;; q: byte offset of row r in the int32 arrays.
        (local.set $q (i32.shl (local.get $r) (i32.const 2)))
        (call $emit (i32.add (local.get $out) (local.get $r))
          (i32.add (call $hsum (local.get $a0)) (i32.load (i32.add (local.get $acc0) (local.get $q))))
          (i32.load (i32.add (local.get $mul) (local.get $q))) (i32.load (i32.add (local.get $shift) (local.get $q)))
          (local.get $zp) (local.get $lo) (local.get $hi))
        (call $emit (i32.add (local.get $out) (i32.add (local.get $r) (i32.const 1)))
          (i32.add (call $hsum (local.get $a1)) (i32.load offset=4 (i32.add (local.get $acc0) (local.get $q))))
          (i32.load offset=4 (i32.add (local.get $mul) (local.get $q)))
          (i32.load offset=4 (i32.add (local.get $shift) (local.get $q)))
          (local.get $zp) (local.get $lo) (local.get $hi))
        (call $emit (i32.add (local.get $out) (i32.add (local.get $r) (i32.const 2)))
          (i32.add (call $hsum (local.get $a2)) (i32.load offset=8 (i32.add (local.get $acc0) (local.get $q))))
          (i32.load offset=8 (i32.add (local.get $mul) (local.get $q)))
          (i32.load offset=8 (i32.add (local.get $shift) (local.get $q)))
          (local.get $zp) (local.get $lo) (local.get $hi))
        (call $emit (i32.add (local.get $out) (i32.add (local.get $r) (i32.const 3)))
          (i32.add (call $hsum (local.get $a3)) (i32.load offset=12 (i32.add (local.get $acc0) (local.get $q))))
          (i32.load offset=12 (i32.add (local.get $mul) (local.get $q)))
          (i32.load offset=12 (i32.add (local.get $shift) (local.get $q)))
          (local.get $zp) (local.get $lo) (local.get $hi))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rowLoop)))))
