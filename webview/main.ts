// Entry of the search panel webview; replaced by the panel UI.
export {};
