import { defineConfig } from 'tsup'
import { createTsupConfig } from '../../scripts/tsup'

export default defineConfig(createTsupConfig(new URL('./', import.meta.url).href))
