import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/**
 * The dashboard's files are served as they are (plain ES modules, no build step) from
 * apps/dashboard, plus the prebuilt Chart.js browser bundle from node_modules: nothing comes from
 * a CDN. Paths resolve from this file, not the working directory, because `npx tinyfleet start`
 * may run anywhere.
 */
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const DASHBOARD_DIR =
  [join(REPO_ROOT, 'apps', 'dashboard'), join(process.cwd(), 'apps', 'dashboard')].find((d) =>
    existsSync(join(d, 'index.html')),
  ) ?? join(REPO_ROOT, 'apps', 'dashboard');
const requireFromRoot = createRequire(join(REPO_ROOT, 'package.json'));

/** Vendor files by public name; chart.js's exports map hides dist/, so resolve its main entry and go next to it. */
const VENDOR: Record<string, () => string> = {
  'chart.umd.min.js': () => join(requireFromRoot.resolve('chart.js').replace(/chart\.cjs$/, ''), 'chart.umd.min.js'),
};

const NAME = /^[a-z0-9-]+\.(js|css|svg)$/;

@ApiExcludeController()
@Controller()
export class StaticAssetsController {
  @Get()
  index(@Res() res: Response): void {
    // The shell is tiny and names the modules: always revalidate, so a new version shows at once.
    res.setHeader('cache-control', 'no-cache');
    res.sendFile('index.html', { root: DASHBOARD_DIR });
  }

  @Get('ui/vendor/:name')
  vendor(@Param('name') name: string, @Res() res: Response): void {
    const locate = VENDOR[name];
    if (!locate) throw new NotFoundException();
    res.setHeader('cache-control', 'public, max-age=86400');
    res.sendFile(locate());
  }

  @Get('ui/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    this.send(res, name, '');
  }

  @Get('ui/views/:name')
  view(@Param('name') name: string, @Res() res: Response): void {
    this.send(res, name, 'views');
  }

  private send(res: Response, name: string, dir: string): void {
    // Only flat, known-shaped names: no traversal, no dotfiles, nothing outside the dashboard.
    if (!NAME.test(name) || !existsSync(join(DASHBOARD_DIR, dir, name))) throw new NotFoundException();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(join(dir, name), { root: DASHBOARD_DIR });
  }
}
