// RUN: edgec-opt %s -split-input-file -edge-plan-thread-split | FileCheck %s
//
// A 1x1 expansion Conv whose result only depthwise Convs read is split over threads by
// output channels (thread_split = "channels"), as the depthwise Convs split: each thread
// then reads the planes its own core wrote. Every other Conv keeps its kernel's choice.

// MobileNetV2's block at INT8: the expansion (4 -> 24) is marked; the depthwise Conv and
// the projection after it are not.
// CHECK-LABEL: func.func @int8_block
// CHECK: %[[E:.+]] = edge.Conv %arg0, {{.+}}thread_split = "channels"
// CHECK-NEXT: %[[D:.+]] = edge.Conv %[[E]],
// CHECK-NOT: thread_split
// CHECK: return
!x = !quant.uniform<u8:f32, 5.000000e-02:128>
!e = !quant.uniform<u8:f32, 2.500000e-02:0>
!w1 = !quant.uniform<i8:f32, 1.250000e-02>
!b1 = !quant.uniform<i32:f32, 6.250000e-04>
!b2 = !quant.uniform<i32:f32, 3.125000e-04>
func.func @int8_block(%x: tensor<1x4x8x8x!x>, %w1: tensor<24x4x1x1x!w1>, %b1: tensor<24x!b1>, %w2: tensor<24x1x3x3x!w1>, %b2: tensor<24x!b2>, %w3: tensor<4x24x1x1x!w1>, %b3: tensor<4x!b2>) -> tensor<1x4x8x8x!x> {
  %0 = edge.Conv %x, %w1, %b1 {activation = "Clip", act_min = 0.0 : f32, act_max = 6.0 : f32, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8x!x>, tensor<24x4x1x1x!w1>, tensor<24x!b1>) -> tensor<1x24x8x8x!e>
  %1 = edge.Conv %0, %w2, %b2 {activation = "Clip", act_min = 0.0 : f32, act_max = 6.0 : f32, dilations = array<i64: 1, 1>, group = 24 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x24x8x8x!e>, tensor<24x1x3x3x!w1>, tensor<24x!b2>) -> tensor<1x24x8x8x!e>
  %2 = edge.Conv %1, %w3, %b3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x24x8x8x!e>, tensor<4x24x1x1x!w1>, tensor<4x!b2>) -> tensor<1x4x8x8x!x>
  return %2 : tensor<1x4x8x8x!x>
}

// -----

// Float, with two depthwise readers (a stride-1 and a stride-2 one): both split by
// channels, so the expansion is marked.
// CHECK-LABEL: func.func @two_depthwise_readers
// CHECK: edge.Conv %arg0, {{.+}}thread_split = "channels"
func.func @two_depthwise_readers(%x: tensor<1x4x8x8xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x16x4x4xf32>) {
  %w1 = edge.constant dense<0.5> : tensor<16x4x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<16x1x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 16 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x8x8xf32>
  %2 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 16 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %1, %2 : tensor<1x16x8x8xf32>, tensor<1x16x4x4xf32>
}

// -----

// Not marked: the expansion's result is also returned (a reader that does not split by
// channels), or read by a grouped Conv that is not depthwise (two channels a group).
// CHECK-LABEL: func.func @other_readers
// CHECK-NOT: thread_split
// CHECK: return
func.func @other_readers(%x: tensor<1x4x8x8xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w1 = edge.constant dense<0.5> : tensor<16x4x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<16x1x3x3xf32>
  %w3 = edge.constant dense<0.25> : tensor<8x2x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 16 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x8x8xf32>
  %2 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x8x8xf32>
  %3 = edge.Conv %2, %w3 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0, %1, %3 : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>, tensor<1x8x8x8xf32>
}

// -----

// Not marked: a 1x1 Conv with as many channels out as in (ShuffleNetV2's, before its
// depthwise Conv: split by channels, each thread would read as much from the other core
// as it saves), and a strided 1x1 Conv (not every position).
// CHECK-LABEL: func.func @not_expansions
// CHECK-NOT: thread_split
// CHECK: return
func.func @not_expansions(%x: tensor<1x8x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x16x4x4xf32>) {
  %w1 = edge.constant dense<0.5> : tensor<8x8x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<8x1x3x3xf32>
  %w3 = edge.constant dense<0.5> : tensor<16x8x1x1xf32>
  %w4 = edge.constant dense<0.25> : tensor<16x1x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = edge.Conv %x, %w3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
  %3 = edge.Conv %2, %w4 {dilations = array<i64: 1, 1>, group = 16 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x4x4xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %1, %3 : tensor<1x8x8x8xf32>, tensor<1x16x4x4xf32>
}

