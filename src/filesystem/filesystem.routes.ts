import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Nullable, errors } from '../http/schemas.js';
import { FilesystemService } from './filesystem.service.js';

const Item = Type.Object({
  name: Type.String(),
  path: Type.String(),
  is_directory: Type.Boolean(),
  is_readable: Type.Boolean(),
  is_hidden: Type.Boolean(),
  is_symlink: Type.Boolean(),
  size: Nullable(Type.Integer({ description: 'Size in bytes (files only)' })),
});
const CommonPath = Type.Object({ name: Type.String(), path: Type.String(), is_directory: Type.Boolean(), is_readable: Type.Boolean() });

/** Folder browsing for the UI, limited to the browse_roots setting and the library folders. */
export const filesystemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const settings = app.ctx.settings;
  const fs = new FilesystemService(() => settings.getList('browse_roots'), () => settings.getList('library_paths'));
  const tags = ['Filesystem'];

  app.get('/browse', {
    schema: {
      tags, summary: 'Browse filesystem directories (inside the browse_roots setting and the library folders)',
      description: 'A path outside them, or in a kernel tree (/proc, /sys, /dev), is a 403. "/" (the default) when "/" itself is not browsable lists the browsable folders as its items.',
      querystring: Type.Object({
        path: Type.Optional(Type.String({ default: '/', description: 'Absolute path to list' })),
        show_hidden: Type.Optional(Type.Boolean({ default: false, description: 'Include entries whose name starts with a dot' })),
      }),
      response: {
        200: Type.Object({ current_path: Type.String(), parent_path: Nullable(Type.String()), items: Type.Array(Item) }),
        ...errors(400, 403, 404),
      },
    },
  }, async (req) => fs.browse(req.query.path ?? '/', { showHidden: req.query.show_hidden ?? false }));

  app.get('/common-paths', {
    schema: { tags, summary: 'Common starting paths (/, media mounts, home, library folders) that exist and can be read', response: { 200: Type.Array(CommonPath) } },
  }, async () => fs.commonPaths());
};
