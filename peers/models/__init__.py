"""The peers written in this project, from their papers: sequential rules, V-SKNN, SASRec."""
