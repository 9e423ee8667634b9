// Steps that `npm install` runs after the dependencies are in place.
// The whisper.cpp build is added here by the engine.
