;; int8 DEPTHWISE_CONV_2D (depth multiplier 1) with WebAssembly SIMD, bit-exact with TFLM's reference
;; DepthwiseConvPerChannel. The input is first copied (pad) into a buffer surrounded by its zero point, so every
;; tap is read and padded taps add w * zero_point, which acc0 cancels: acc0[c] = bias[c] + input_offset *
;; sum of channel c's taps. Eight channels per step: int8 loads widened to int16, int16 x int16 -> int32
;; products (exact: |x * w| <= 2^14), then TFLM's requantization per channel. Channels are padded to a
;; multiple of 8 with zero weights (bytes read past a pixel's channels meet zero weights).
;; Build: libs/tinyml/tools/build-wasm.ts (wabt) writes dw-int8.wasm.ts; a test checks it is current.
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

  ;; Stores one requantized, clamped output.
  (func $emit (param $out i32) (param $sum i32) (param $m i32) (param $shift i32)
              (param $zp i32) (param $lo i32) (param $hi i32)
    (local $v i32)
    (local.set $v (i32.add (call $requantize (local.get $sum) (local.get $m) (local.get $shift)) (local.get $zp)))
    (if (i32.lt_s (local.get $v) (local.get $lo)) (then (local.set $v (local.get $lo))))
    (if (i32.gt_s (local.get $v) (local.get $hi)) (then (local.set $v (local.get $hi))))
    (i32.store8 (local.get $out) (local.get $v)))

  ;; Copies `rows` rows of rowBytes from src (packed) to dst (dstStride apart).
  (func (export "pad") (param $src i32) (param $dst i32) (param $rows i32) (param $rowBytes i32) (param $dstStride i32)
    (local $r i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (memory.copy
          (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $dstStride)))
          (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $rowBytes)))
          (local.get $rowBytes))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next))))

  ;; x: padded input (rowStride bytes per row, inC per pixel); w: [kH*kW][cPad] int8; acc0, mul, shift: cPad
  ;; int32 each; out: [outH*outW][cPad] int8.
  (func (export "dw")
    (param $x i32) (param $rowStride i32) (param $inC i32) (param $outH i32) (param $outW i32)
    (param $strideH i32) (param $strideW i32) (param $dilH i32) (param $dilW i32) (param $kH i32) (param $kW i32)
    (param $cPad i32) (param $w i32) (param $acc0 i32) (param $mul i32) (param $shift i32) (param $out i32)
    (param $zp i32) (param $lo i32) (param $hi i32)
    (local $oy i32) (local $ox i32) (local $c i32) (local $fy i32) (local $fx i32)
    (local $px i32) (local $row i32) (local $wp i32) (local $o i32) (local $q i32)
    (local $xv v128) (local $wv v128) (local $accL v128) (local $accH v128)
    (block $oyDone
      (loop $oyLoop
        (br_if $oyDone (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $oxDone
          (loop $oxLoop
            (br_if $oxDone (i32.ge_u (local.get $ox) (local.get $outW)))
            (local.set $px (i32.add (local.get $x) (i32.add
              (i32.mul (i32.mul (local.get $oy) (local.get $strideH)) (local.get $rowStride))
              (i32.mul (i32.mul (local.get $ox) (local.get $strideW)) (local.get $inC)))))
            (local.set $o (i32.add (local.get $out)
              (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $outW)) (local.get $ox)) (local.get $cPad))))
            (local.set $c (i32.const 0))
            (block $cDone
              (loop $cLoop
                (br_if $cDone (i32.ge_u (local.get $c) (local.get $cPad)))
                (local.set $q (i32.shl (local.get $c) (i32.const 2)))
                (local.set $accL (v128.load (i32.add (local.get $acc0) (local.get $q))))
                (local.set $accH (v128.load offset=16 (i32.add (local.get $acc0) (local.get $q))))
                (local.set $wp (i32.add (local.get $w) (local.get $c)))
                (local.set $fy (i32.const 0))
                (block $fyDone
                  (loop $fyLoop
                    (br_if $fyDone (i32.ge_u (local.get $fy) (local.get $kH)))
                    (local.set $row (i32.add (i32.add (local.get $px) (local.get $c))
                      (i32.mul (i32.mul (local.get $fy) (local.get $dilH)) (local.get $rowStride))))
                    (local.set $fx (i32.const 0))
                    (block $fxDone
                      (loop $fxLoop
                        (br_if $fxDone (i32.ge_u (local.get $fx) (local.get $kW)))
                        (local.set $xv (v128.load8x8_s
                          (i32.add (local.get $row) (i32.mul (i32.mul (local.get $fx) (local.get $dilW)) (local.get $inC)))))
                        (local.set $wv (v128.load8x8_s (local.get $wp)))
                        (local.set $accL (i32x4.add (local.get $accL) (i32x4.extmul_low_i16x8_s (local.get $xv) (local.get $wv))))
                        (local.set $accH (i32x4.add (local.get $accH) (i32x4.extmul_high_i16x8_s (local.get $xv) (local.get $wv))))
                        (local.set $wp (i32.add (local.get $wp) (local.get $cPad)))
                        (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
                        (br $fxLoop)))
                    (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
                    (br $fyLoop)))
                (call $emit8 (i32.add (local.get $o) (local.get $c)) (local.get $accL) (local.get $accH)
                  (i32.add (local.get $mul) (local.get $q)) (i32.add (local.get $shift) (local.get $q))
                  (local.get $zp) (local.get $lo) (local.get $hi))
                (local.set $c (i32.add (local.get $c) (i32.const 8)))
                (br $cLoop)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $oxLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyLoop))))

  ;; Requantizes and stores eight channels (lanes of lo, then hi).
  (func $emit8 (param $o i32) (param $lo8 v128) (param $hi8 v128) (param $mul i32) (param $shift i32)
               (param $zp i32) (param $lo i32) (param $hi i32)
    (call $emit (local.get $o) (i32x4.extract_lane 0 (local.get $lo8)) (i32.load (local.get $mul))
      (i32.load (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))
    (call $emit (i32.add (local.get $o) (i32.const 1)) (i32x4.extract_lane 1 (local.get $lo8))
      (i32.load offset=4 (local.get $mul)) (i32.load offset=4 (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))
    (call $emit (i32.add (local.get $o) (i32.const 2)) (i32x4.extract_lane 2 (local.get $lo8))
      (i32.load offset=8 (local.get $mul)) (i32.load offset=8 (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))
    (call $emit (i32.add (local.get $o) (i32.const 3)) (i32x4.extract_lane 3 (local.get $lo8))
      (i32.load offset=12 (local.get $mul)) (i32.load offset=12 (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))
    (call $emit (i32.add (local.get $o) (i32.const 4)) (i32x4.extract_lane 0 (local.get $hi8))
      (i32.load offset=16 (local.get $mul)) (i32.load offset=16 (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))
    (call $emit (i32.add (local.get $o) (i32.const 5)) (i32x4.extract_lane 1 (local.get $hi8))
      (i32.load offset=20 (local.get $mul)) (i32.load offset=20 (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))
    (call $emit (i32.add (local.get $o) (i32.const 6)) (i32x4.extract_lane 2 (local.get $hi8))
      (i32.load offset=24 (local.get $mul)) (i32.load offset=24 (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))
    (call $emit (i32.add (local.get $o) (i32.const 7)) (i32x4.extract_lane 3 (local.get $hi8))
      (i32.load offset=28 (local.get $mul)) (i32.load offset=28 (local.get $shift)) (local.get $zp) (local.get $lo) (local.get $hi))))
