// @tinyfleet/energy — cited energy model for simulated TinyML nodes (browser-safe, no Node APIs).
export * from './source-map';
export * from './mcu/kernel-kinds';
export * from './mcu/kernel-cycle-tables';
export * from './mcu/mcu-profiles';
export * from './mcu/inference-cost';
export * from './radio/exchange';
export * from './radio/protocol-overheads';
export * from './radio/lora-airtime';
export * from './radio/radio-profiles';
export * from './radio/message-cost';
export * from './battery/battery-profiles';
export * from './battery/battery-life';
export * from './sensing/sensor-profiles';
export * from './ledger/energy-ledger';
export * from './validation/mlperf-measurements';
export * from './validation/calibration-fit';
export * from './validation/validate-against-mlperf';
