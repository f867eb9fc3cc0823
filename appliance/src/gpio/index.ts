/**
 * The box's GPIO: the port, its simulated adapter, the factory and the buttons. The onoff adapter is
 * not exported here on purpose: `createGpio({ adapter: 'onoff' })` loads it (and its native
 * modules) only when asked.
 */
export type { ChangeListener, Edge, GpioPort, InputLine, InputOptions, Level, OutputLine } from './port.ts';
export type { OnoffGpioOptions } from './onoff-gpio.ts';
export { gpioErrors, type GpioErrorCode } from './errors.ts';
export { systemScheduler, type Scheduler } from './scheduler.ts';
export { ManualScheduler } from './manual-scheduler.ts';
export { SimulatedGpio, type SimulatedGpioOptions } from './simulated-gpio.ts';
export { createGpio, type CreateGpioOptions } from './factory.ts';
export { detectChipBase, listGpioChips, RASPBERRY_PI_GPIO_LABELS, type SysfsGpioChip } from './chip-base.ts';
export { BoxButtons, type BoxButtonsEvents, type BoxButtonsOptions, type ButtonHold, type ButtonPress } from './buttons.ts';
