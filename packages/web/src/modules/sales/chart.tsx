/** ECharts with only the pieces the dashboard draws (echarts/core keeps the chunk small). */
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/esm/core";
import type { CSSProperties } from "react";

echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, CanvasRenderer]);

export const CHART_COLORS = ["#1f4fe0", "#12b886", "#f59f00", "#fa5252", "#7048e8", "#15aabf", "#e64980", "#82c91e"];

export type ChartClick = { name?: string; dataIndex?: number; seriesName?: string; data?: unknown };

export function Chart({ option, height = 300, onClick, style }: { option: object; height?: number; onClick?: (p: ChartClick) => void; style?: CSSProperties }) {
  return (
    <ReactEChartsCore
      echarts={echarts}
      option={{ color: CHART_COLORS, textStyle: { fontFamily: "inherit" }, ...option }}
      notMerge
      lazyUpdate
      style={{ height, width: "100%", ...style }}
      onEvents={onClick ? { click: onClick } : undefined}
    />
  );
}
