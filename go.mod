module github.com/dsengine/dsengine

go 1.26.8
