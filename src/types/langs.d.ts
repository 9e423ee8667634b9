declare module 'langs';
