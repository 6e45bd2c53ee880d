/** Case loop domain core (闭环): pure functions and data, no database or HTTP. */
export * from './states.ts';
export * from './rules.ts';
export * from './lights.ts';
export * from './stats.ts';
export * from './i18n.ts';
export * from './zonedTime.ts';
