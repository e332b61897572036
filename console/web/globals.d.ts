// uPlot is loaded as a classic script (its IIFE build from the npm package) and sets a global.
import type uPlotType from '../node_modules/uplot/dist/uPlot.d.ts';

declare global {
  interface Window {
    uPlot: typeof uPlotType;
  }
}
