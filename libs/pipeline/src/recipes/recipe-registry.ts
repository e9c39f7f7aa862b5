/** Recipe ids -> recipes; `gas-ethylene` with --version 1|2 picks the two drift versions. */
import { PipelineError } from '../pipeline.types';
import { gasEthyleneV1Recipe, gasEthyleneV2Recipe, gasFruitRecipe } from './gas.recipe';
import type { Recipe } from './recipe.types';
import { soilRecipe } from './soil.recipe';
import { doorbellRecipe, mnistLenet300Recipe, mnistLenet5Recipe } from './vision.recipe';

export const RECIPES: readonly Recipe[] = [
  soilRecipe,
  gasFruitRecipe,
  gasEthyleneV1Recipe,
  gasEthyleneV2Recipe,
  doorbellRecipe,
  mnistLenet300Recipe,
  mnistLenet5Recipe,
];

export class UnknownRecipeError extends PipelineError {
  override name = 'UnknownRecipeError';
}

export function findRecipe(id: string, version?: string): Recipe {
  const key = id === 'gas-ethylene' ? `gas-ethylene-v${version ?? '1'}` : id;
  const r = RECIPES.find((x) => x.id === key);
  if (!r)
    throw new UnknownRecipeError(
      `unknown recipe "${id}${version && id === 'gas-ethylene' ? ` --version ${version}` : ''}"; known: ${[...RECIPES.map((x) => x.id), 'gas-ethylene'].join(', ')}`,
    );
  return r;
}
