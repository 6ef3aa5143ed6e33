/** How far a pull has got: its phase, and bytes while downloading. */
export interface PullProgressEntry {
  phase: 'start' | 'download' | 'verify' | 'unpack';
  received_bytes?: number;
  total_bytes?: number | null;
}

/** A model (or voice pack) `GET /v1/catalogue` lists, as far as the playground reads it. */
export interface CatalogueListing {
  id: string;
  task: string;
  description: string;
  size_bytes?: number | null;
  installed: boolean;
  pulling: boolean;
  /** Null when not being pulled. */
  progress: PullProgressEntry | null;
}

export interface CatalogueList {
  object: 'list';
  data: CatalogueListing[];
  voice_packs?: CatalogueListing[];
}
